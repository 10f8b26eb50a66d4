// `drover tests show|clear`: what a machine's test suite (its burn-in) found at each boot
// that ran it, and clearing the failure mark that keeps rollouts away from the machine.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(TestVerbs)
};

QJsonObject runJson(const TestRunRecord &r)
{
    return QJsonObject {
        { QStringLiteral("boot"), r.bootId },
        { QStringLiteral("at"), r.at.toString(Qt::ISODateWithMs) },
        { QStringLiteral("suite"), r.suite },
        { QStringLiteral("passed"), r.passed },
        { QStringLiteral("tests"), TestReport { r.suite, r.tests }.toJson() },
    };
}

int testsShow(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("history"), Text::tr("Every run on record, newest first.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().constFirst();
    const Catalog *catalog = ctx.lab->catalog();
    const auto machine = catalog->machineByName(name);
    if (!machine)
        return fail(ctx, Text::tr("no machine named '%1'").arg(name));
    const QList<TestRunRecord> runs = catalog->testRuns(name, p.isSet(QStringLiteral("history")) ? 50 : 1);
    if (ctx.json) {
        QJsonArray array;
        for (const TestRunRecord &r : runs)
            array.append(runJson(r));
        printJson(ctx,
            QJsonObject { { QStringLiteral("machine"), name },
                { QStringLiteral("burninFailed"), machine->burninFailed.isValid() },
                { QStringLiteral("runs"), array } });
        return ExitOk;
    }
    if (runs.isEmpty()) {
        ctx.out << Text::tr("%1 has not run any tests: boot it into an image with a test suite (examples/recipes/"
                            "debian-burnin.json)")
                       .arg(name)
                << Qt::endl;
        return ExitOk;
    }
    const QLocale locale;
    for (const TestRunRecord &r : runs) {
        ctx.out << Text::tr("%1 %2 at %3 (boot %4)")
                       .arg(r.suite.isEmpty() ? Text::tr("tests") : r.suite,
                           r.passed ? Text::tr("passed") : Text::tr("failed"), r.at.toLocalTime().toString(Qt::ISODate),
                           r.bootId)
                << '\n';
        for (const TestResult &t : r.tests) {
            ctx.out << "  " << (t.passed ? Text::tr("pass") : Text::tr("FAIL")).leftJustified(5) << ' '
                    << t.name.leftJustified(16) << ' '
                    << Text::tr("%1 s").arg(locale.toString(double(t.durationMs) / 1000.0, 'f', 1)).rightJustified(9);
            if (const QString metrics = describeMetrics(t); !metrics.isEmpty())
                ctx.out << "  " << metrics;
            ctx.out << '\n';
            if (!t.passed && !t.output.isEmpty())
                ctx.out << "        " << t.output << '\n';
        }
    }
    if (machine->burninFailed.isValid())
        ctx.out << Text::tr("%1 failed its burn-in %2: no rollout reaches it until drover tests clear %1.")
                       .arg(name, machine->burninFailed.toLocalTime().toString(Qt::ISODate))
                << '\n';
    ctx.out << Qt::flush;
    return ExitOk;
}

int testsClear(CliContext &ctx, const Verb &verb)
{
    return actOnMachines(
        ctx, verb, [&ctx](const QString &name) { return ctx.lab->catalog()->clearBurninFailure(name); });
}

} // namespace

QList<Verb> testVerbs()
{
    const QString tests = QStringLiteral("tests");
    return {
        { { tests, QStringLiteral("show") }, QStringLiteral("NAME [--history]"),
            Text::tr("Show what a machine's test suite (its burn-in) found, per test."), testsShow },
        { { tests, QStringLiteral("clear") }, QStringLiteral("NAME…"),
            Text::tr("Clear the burn-in failure that keeps rollouts away from machines."), testsClear },
    };
}

} // namespace drover
