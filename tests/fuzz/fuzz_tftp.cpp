// libFuzzer target for the TFTP decoders: the request parser (with option negotiation and
// the OACK it produces), the parser of what clients send during a transfer, and the name
// sanitiser used in log lines. A parsed request re-encodes to one that parses the same.
#include "boot/tftp/tftppacket.h"

#include <cstdint>
#include <cstdlib>

using namespace drover;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(data, qsizetype(size));
    (void)parseTftpClientPacket(input);
    (void)printableTftpName(input);
    auto request = parseTftpRequest(input);
    if (!request)
        return 0;
    const TftpTransferOptions options = negotiateTftpOptions(request.value(), qint64(size) * 1000);
    if (options.blockSize < 8 || options.blockSize > 65464 || options.windowSize < 1 || options.windowSize > 64
        || options.timeoutMs < 1000 || options.timeoutMs > 255000)
        std::abort();
    (void)encodeTftpOack(options.acknowledged);
    (void)printableTftpName(request->fileName);

    auto again = parseTftpRequest(encodeTftpRequest(request.value()));
    if (!again || again->opcode != request->opcode || again->fileName != request->fileName
        || again->mode != request->mode || again->options != request->options)
        std::abort();
    return 0;
}
