// `drover assign` and `drover history`: which image a machine, a group or the lab boots.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(AssignVerbs)
};

// A target names a machine, else a group (machines labelled group=NAME); "--default" is
// the image for machines with neither.
std::optional<std::pair<TargetKind, QString>> resolveTarget(
    CliContext &ctx, const QString &target, bool group, bool fallback)
{
    if (fallback)
        return std::pair { TargetKind::Default, QString() };
    if (!group && ctx.lab->catalog()->machineByName(target))
        return std::pair { TargetKind::Machine, target };
    if (group)
        return std::pair { TargetKind::Group, target };
    for (const Machine &m : ctx.lab->catalog()->machines()) {
        if (m.group() == target)
            return std::pair { TargetKind::Group, target };
    }
    return std::nullopt;
}

QJsonObject assignmentJson(const Assignment &a)
{
    return QJsonObject { { QStringLiteral("id"), a.id }, { QStringLiteral("kind"), targetKindKey(a.kind) },
        { QStringLiteral("target"), a.target }, { QStringLiteral("image"), a.image }, { QStringLiteral("who"), a.who },
        { QStringLiteral("when"), a.when.toString(Qt::ISODateWithMs) }, { QStringLiteral("why"), a.why } };
}

int assign(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("why"), Text::tr("Why: kept in the history."), QStringLiteral("TEXT") });
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group, even one with no machines yet.") });
    p.addOption({ QStringLiteral("default"), Text::tr("Set the image of machines with no other assignment.") });
    const bool fallback = ctx.args.contains(QStringLiteral("--default"));
    if (auto code = parseVerbArgs(ctx, verb, p, fallback ? 1 : 2, fallback ? 1 : 2))
        return *code;
    const QStringList args = p.positionalArguments();
    const QString image = args.last();
    auto target = resolveTarget(ctx, fallback ? QString() : args.first(), p.isSet(QStringLiteral("group")), fallback);
    if (!target)
        return fail(
            ctx, Text::tr("'%1' is neither a machine nor a group; use --group to start a new group").arg(args.first()));
    auto a = ctx.lab->catalog()->assign(target->first, target->second, image, ctx.who, p.value(QStringLiteral("why")));
    if (!a)
        return fail(ctx, a.error());
    if (ctx.json)
        printJson(ctx, assignmentJson(a.value()));
    else
        ctx.out << Text::tr("%1 %2 boots %3 from its next boot")
                       .arg(targetKindKey(a->kind), a->target.isEmpty() ? Text::tr("(default)") : a->target, a->image)
                << Qt::endl;
    return ExitOk;
}

int history(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group.") });
    p.addOption({ QStringLiteral("default"), Text::tr("The history of the default image.") });
    const bool fallback = ctx.args.contains(QStringLiteral("--default"));
    if (auto code = parseVerbArgs(ctx, verb, p, fallback ? 0 : 1, fallback ? 0 : 1))
        return *code;
    auto target = resolveTarget(
        ctx, fallback ? QString() : p.positionalArguments().first(), p.isSet(QStringLiteral("group")), fallback);
    if (!target)
        return fail(ctx, Text::tr("'%1' is neither a machine nor a group").arg(p.positionalArguments().first()));
    const auto list = ctx.lab->catalog()->history(target->first, target->second);
    if (ctx.json) {
        QJsonArray array;
        for (const Assignment &a : list)
            array.append(assignmentJson(a));
        printJson(ctx, array);
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const Assignment &a : list)
        rows.append({ a.when.toLocalTime().toString(Qt::ISODate), a.image, a.who, a.why });
    printTable(ctx, { Text::tr("WHEN"), Text::tr("IMAGE"), Text::tr("WHO"), Text::tr("WHY") }, rows);
    return ExitOk;
}

} // namespace

QList<Verb> assignVerbs()
{
    return {
        { { QStringLiteral("assign") },
            QStringLiteral("MACHINE|GROUP NAME:VERSION [--why TEXT] | --default NAME:VERSION"),
            Text::tr("Assign an image; it takes effect at the target's next boot."), assign },
        { { QStringLiteral("history") }, QStringLiteral("MACHINE|GROUP | --default"),
            Text::tr("List the assignments of a machine or group, newest first."), history },
    };
}

} // namespace drover
