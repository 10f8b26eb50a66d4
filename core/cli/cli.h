// The command-line verbs (`drover machine ls`, `drover image verify`, …): automation and
// tests use the same core as the GUI. Each module contributes a list of verbs; the exit code
// is 0 for success, 1 for an error, 2 for a usage error.
#pragma once

#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <optional>

class QCommandLineParser;
class QJsonValue;

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
