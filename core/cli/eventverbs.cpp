// `drover events`: the boot events in the catalog, optionally followed live.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(EventVerbs)
};

QJsonObject eventJson(const BootEvent &e)
{
    return QJsonObject { { QStringLiteral("id"), e.id }, { QStringLiteral("time"), e.time.toString(Qt::ISODateWithMs) },
        { QStringLiteral("machine"), e.machine }, { QStringLiteral("mac"), e.mac },
        { QStringLiteral("bootId"), e.bootId }, { QStringLiteral("phase"), e.phase },
        { QStringLiteral("image"), e.image }, { QStringLiteral("severity"), e.severity },
        { QStringLiteral("detail"), e.detail } };
}

void printEvent(CliContext &ctx, const BootEvent &e, bool lines)
{
    if (lines) {
        // --follow --json: one object per line, so a reader can act on each as it comes.
        ctx.out << QJsonDocument(eventJson(e)).toJson(QJsonDocument::Compact) << Qt::flush;
        return;
    }
    ctx.out << e.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) << "  "
            << (e.machine.isEmpty() ? e.mac : e.machine).leftJustified(14) << ' ' << e.phase.leftJustified(10) << ' '
            << e.severity.leftJustified(7) << ' ' << e.detail << Qt::endl;
}

int events(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption(
        { QStringLiteral("machine"), Text::tr("Only events of this machine (name or MAC)."), QStringLiteral("NAME") });
    p.addOption({ QStringLiteral("phase"), Text::tr("Only events of this phase."), QStringLiteral("PHASE") });
    p.addOption({ QStringLiteral("limit"), Text::tr("At most this many past events (default 100)."),
        QStringLiteral("N"), QStringLiteral("100") });
    p.addOption({ QStringLiteral("follow"), Text::tr("Keep printing new events as they arrive.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    bool numeric = false;
    EventFilter filter { p.value(QStringLiteral("machine")), p.value(QStringLiteral("phase")), 0,
        p.value(QStringLiteral("limit")).toInt(&numeric) };
    if (!numeric || filter.limit <= 0)
        return usageError(ctx, Text::tr("drover: --limit needs a positive number"));
    const bool follow = p.isSet(QStringLiteral("follow"));
    const QList<BootEvent> past = ctx.lab->catalog()->events(filter);
    if (ctx.json && !follow) {
        QJsonArray array;
        for (const BootEvent &e : past)
            array.append(eventJson(e));
        printJson(ctx, array);
        return ExitOk;
    }
    for (const BootEvent &e : past)
        printEvent(ctx, e, ctx.json);
    if (!follow)
        return ExitOk;
    filter.afterId = past.isEmpty() ? 0 : past.last().id;
    if (past.isEmpty()) {
        // Start after the newest event, whatever the filter.
        const auto newest = ctx.lab->catalog()->events(EventFilter { {}, {}, 0, 1 });
        filter.afterId = newest.isEmpty() ? 0 : newest.last().id;
    }
    for (;;) {
        QThread::msleep(200);
        for (const BootEvent &e : ctx.lab->catalog()->events(filter)) {
            printEvent(ctx, e, ctx.json);
            filter.afterId = e.id;
        }
    }
}

} // namespace

QList<Verb> eventVerbs()
{
    return {
        { { QStringLiteral("events") }, QStringLiteral("[--machine NAME] [--phase PHASE] [--limit N] [--follow]"),
            Text::tr("Show boot events: every step the server saw, with time, machine and image."), events },
    };
}

} // namespace drover
