// The command-line verbs (`drover machine ls`, `drover image verify`, …): automation and
// tests use the same core as the GUI. Each module contributes a list of verbs; the exit code
// is 0 for success, 1 for an error, 2 for a usage error.
#pragma once

#include "util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <optional>

class QCommandLineParser;

namespace drover {

class Lab;

enum ExitCode { ExitOk = 0, ExitError = 1, ExitUsage = 2 };

struct CliContext {
    Lab *lab = nullptr;
    QStringList args; // the verb's own arguments, verb words first (e.g. "machine", "add", …)
    QTextStream &out;
    QTextStream &err;
    bool json = false;
    QString who; // recorded with assignments
};

struct Verb;

struct Verb {
    QStringList words; // {"machine", "add"}
    QString synopsis; // "NAME --mac MAC [--label K=V]…"
    QString summary; // one line, translated
    std::function<int(CliContext &, const Verb &)> run;
};

// Every verb Drover knows, in the order `drover --help` lists them.
QList<Verb> allVerbs();

// Finds the verb matching the start of `args`; null when none does.
const Verb *findVerb(const QList<Verb> &verbs, const QStringList &args);
QString verbHelp(const QList<Verb> &verbs);

// Helpers for verb implementations.
// Parses ctx.args after the verb words; on a usage error prints it and returns ExitUsage.
std::optional<int> parseVerbArgs(
    CliContext &ctx, const Verb &verb, QCommandLineParser &parser, int minPositional, int maxPositional);
void printJson(CliContext &ctx, const QJsonValue &value);
// Prints rows as aligned columns under a header.
void printTable(CliContext &ctx, const QStringList &header, const QList<QStringList> &rows);
int fail(CliContext &ctx, const QString &message); // prints "drover: message", returns ExitError
// Prints a usage error whose text already says "drover: …"; returns ExitUsage.
int usageError(CliContext &ctx, const QString &message);
// The end of a verb that did one thing: `json` with --json, else `text` as a line. ExitOk.
int printResult(CliContext &ctx, const QJsonValue &json, const QString &text);
// "key:" and its value in aligned columns, the shape of `machine show` and `image inspect`.
void printField(CliContext &ctx, const QString &key, const QString &value);
QString formatBytes(qint64 size); // "1.5 GiB", as every verb prints a size
// A percentage on stderr while a long operation runs; null when nobody watches (--json, or
// stderr not a terminal), so callers pass it on as "no progress wanted".
std::function<bool(qint64 done, qint64 total)> percentPrinter(CliContext &ctx, const QString &what);

// What a listing verb (`image ls`, `machine ls`, `iso ls`, `history`) prints: each row given
// once, as its JSON object and its cells, printed as an aligned table or, with --json, as the
// array of the objects; both stay in step because there is one place to add a row.
class Listing final {
public:
    explicit Listing(QStringList header)
        : m_header(std::move(header))
    { }
    void add(const QJsonObject &json, const QStringList &cells);
    // Without rows, `empty` (when given) replaces the table; --json prints [] regardless.
    // Returns ExitOk.
    int print(CliContext &ctx, const QString &empty = {}) const;

private:
    QStringList m_header;
    QJsonArray m_json;
    QList<QStringList> m_rows;
};
// Null for an image NAME:VERSION; else says it is not one and gives ExitUsage.
std::optional<int> checkImageTag(CliContext &ctx, const QString &tag); // core/cli/imageverbs.cpp
// A verb taking MACHINE…: `act` on each in turn, stopping at the first failure.
int actOnMachines(CliContext &ctx, const Verb &verb, const std::function<Status(const QString &)> &act);

QList<Verb> machineVerbs();
QList<Verb> assignVerbs();
QList<Verb> eventVerbs();
QList<Verb> imageVerbs(); // core/cli/imageverbs.cpp
QList<Verb> isoVerbs(); // core/cli/isoverbs.cpp
QList<Verb> inventoryVerbs(); // core/cli/inventoryverbs.cpp
QList<Verb> testVerbs(); // core/cli/testverbs.cpp
QList<Verb> buildVerbs(); // core/cli/buildverbs.cpp
QList<Verb> configVerbs(); // core/cli/configverbs.cpp
QList<Verb> powerVerbs(); // core/cli/powerverbs.cpp
QList<Verb> rolloutVerbs(); // core/cli/rolloutverbs.cpp
QList<Verb> vmVerbs(); // core/cli/vmverbs.cpp
QList<Verb> imageTestVerbs(); // core/cli/imagetestverb.cpp

} // namespace drover
