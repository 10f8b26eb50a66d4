// TFTP packets as values (RFC 1350) and option negotiation (RFC 2347 options, 2348 blksize,
// 2349 timeout and tsize, 7440 windowsize), as pure functions: the server and the fuzz
// target call the same code, and nothing here touches a socket or a file.
#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace drover {

namespace TftpOpcode {
constexpr quint16 Rrq = 1;
constexpr quint16 Wrq = 2;
constexpr quint16 Data = 3;
constexpr quint16 Ack = 4;
constexpr quint16 Error = 5;
constexpr quint16 Oack = 6;
} // namespace TftpOpcode

enum class TftpError : quint16 {
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
    OptionRefused = 8,
};

using TftpOptionList = QList<QPair<QByteArray, QByteArray>>;

// A read or write request. The file name is the client's bytes, never interpreted as a path.
struct TftpRequest {
    static constexpr int MaxSize = 512; // RFC 2347: a request never exceeds 512 bytes

    quint16 opcode = TftpOpcode::Rrq;
    QByteArray fileName;
    QByteArray mode; // lower case: "octet", "netascii" or "mail"
    TftpOptionList options; // names in lower case, in request order, first of duplicates kept
};

// Rejects anything but a well-formed RRQ/WRQ: wrong size, a field without its NUL, an empty
// name, an unknown mode, an option without a value.
Result<TftpRequest> parseTftpRequest(QByteArrayView bytes);

struct TftpLimits {
    int maxBlockSize = 65464; // RFC 2348
    int maxWindowSize = 64; // RFC 7440 allows 65535; more than 64 in flight only loses packets
    int defaultTimeoutMs = 1000;
    // RFC 2349 has the server echo the client's timeout unchanged or leave the option out; a
    // larger request (up to 255 s, which would hold a transfer slot for minutes) is left out
    // of the OACK and the default applies.
    int maxTimeoutSeconds = 5;
};

// What a transfer uses, and what the OACK says (empty: no OACK, plain RFC 1350).
struct TftpTransferOptions {
    int blockSize = 512;
    int timeoutMs = 1000;
    int windowSize = 1;
    TftpOptionList acknowledged;
};

// Options the server understands get an answer within the limits; unknown or invalid
// ones are left out of the OACK, as RFC 2347 says.
TftpTransferOptions negotiateTftpOptions(const TftpRequest &request, qint64 fileSize, const TftpLimits &limits = {});

// A packet a client sends during a transfer.
struct TftpClientPacket {
    quint16 opcode = TftpOpcode::Ack;
    quint16 block = 0; // ACK
    quint16 errorCode = 0; // ERROR
    QByteArray errorMessage;
};
std::optional<TftpClientPacket> parseTftpClientPacket(QByteArrayView bytes);

// A client-supplied name made safe to show in a log line: printable ASCII, at most 64 chars.
QString printableTftpName(QByteArrayView name);

QByteArray encodeTftpError(TftpError code, QByteArrayView message);
QByteArray encodeTftpOack(const TftpOptionList &options);
QByteArray encodeTftpAck(quint16 block);
QByteArray encodeTftpRequest(const TftpRequest &request); // for clients and tests

} // namespace drover
