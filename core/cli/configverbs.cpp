// `drover config show|set|rm`: a machine's or a group's configuration (core/machineconfig)
// from the command line, and what a machine receives once it is rendered.
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "machineconfig/machinerender.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ConfigVerbs)
};

// As `drover assign` resolves it: a machine name, else a group (machines labelled
// group=NAME, or a group that has a configuration already); --group forces a group.
std::optional<std::pair<TargetKind, QString>> resolveTarget(CliContext &ctx, const QString &target, bool group)
{
    Catalog *c = ctx.lab->catalog();
    if (!group && c->machineByName(target))
        return std::pair { TargetKind::Machine, target };
    if (group || c->config(TargetKind::Group, target))
        return std::pair { TargetKind::Group, target };
    for (const Machine &m : c->machines()) {
        if (m.group() == target)
            return std::pair { TargetKind::Group, target };
    }
    return std::nullopt;
}

QString targetText(TargetKind kind, const QString &target)
{
    return kind == TargetKind::Group ? Text::tr("group %1").arg(target) : Text::tr("machine %1").arg(target);
}

QJsonObject recordJson(const ConfigRecord &r)
{
    return QJsonObject { { QStringLiteral("kind"), targetKindKey(r.kind) }, { QStringLiteral("target"), r.target },
        { QStringLiteral("revision"), r.revision }, { QStringLiteral("updatedBy"), r.updatedBy },
        { QStringLiteral("updatedAt"), r.updatedAt.isValid() ? r.updatedAt.toString(Qt::ISODateWithMs) : QString() },
        { QStringLiteral("config"), QJsonDocument::fromJson(r.body.toUtf8()).object() } };
}

int showRendered(CliContext &ctx, const Machine &machine)
{
    auto effective = effectiveConfig(*ctx.lab->catalog(), machine);
    if (!effective)
        return fail(ctx, effective.error());
    if (!effective.value())
        return fail(ctx,
            Text::tr("machine %1 has no configuration (neither its own nor its group's): it boots its image as built")
                .arg(machine.name));
    RenderContext context = RenderContext::of(machine);
    QStringList sources;
    QJsonArray sourcesJson;
    for (const ConfigRecord &r : (*effective)->sources) {
        sources.append(Text::tr("%1 r%2").arg(targetText(r.kind, r.target)).arg(r.revision));
        sourcesJson.append(QJsonObject { { QStringLiteral("kind"), targetKindKey(r.kind) },
            { QStringLiteral("target"), r.target }, { QStringLiteral("revision"), r.revision } });
    }
    context.provenance = sources.join(QStringLiteral(", "));
    auto rendered = renderDroverConfig((*effective)->config, context);
    if (!rendered)
        return fail(
            ctx, Text::tr("the configuration of %1 cannot be rendered: %2").arg(machine.name, rendered.error()));
    if (ctx.json) {
        printJson(ctx,
            QJsonObject { { QStringLiteral("machine"), machine.name }, { QStringLiteral("mac"), machine.mac },
                { QStringLiteral("sources"), sourcesJson },
                { QStringLiteral("effective"), (*effective)->config.toJson() },
                { QStringLiteral("summary"), rendered->summary },
                { QStringLiteral("rendered"), QString::fromUtf8(rendered->text) } });
    } else {
        ctx.out << QString::fromUtf8(rendered->text) << Qt::flush;
    }
    return ExitOk;
}

int configShow(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group.") });
    p.addOption({ QStringLiteral("rendered"),
        Text::tr("Print the drover-config file the machine receives: its group's and its own configuration "
                 "merged, templates filled in.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().first();
    auto target = resolveTarget(ctx, name, p.isSet(QStringLiteral("group")));
    if (!target)
        return fail(ctx, Text::tr("'%1' is neither a machine nor a group").arg(name));
    if (p.isSet(QStringLiteral("rendered"))) {
        if (target->first != TargetKind::Machine)
            return usageError(
                ctx, Text::tr("drover: --rendered needs a machine: a group's configuration is rendered per machine"));
        return showRendered(ctx, *ctx.lab->catalog()->machineByName(name));
    }
    const auto record = ctx.lab->catalog()->config(target->first, target->second);
    if (!record)
        return fail(ctx, Text::tr("%1 has no configuration").arg(targetText(target->first, target->second)));
    if (ctx.json)
        printJson(ctx, recordJson(*record));
    else
        ctx.out << record->body << (record->body.endsWith(QLatin1Char('\n')) ? "" : "\n") << Qt::flush;
    return ExitOk;
}

int configSet(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group, even one with no machines yet.") });
    p.addOption({ QStringLiteral("revision"),
        Text::tr("Save only if the stored configuration is still at this revision (0: it has none yet)."),
        QStringLiteral("N") });
    if (auto code = parseVerbArgs(ctx, verb, p, 2, 2))
        return *code;
    const QString name = p.positionalArguments().at(0);
    const QString fileName = p.positionalArguments().at(1);
    auto target = resolveTarget(ctx, name, p.isSet(QStringLiteral("group")));
    if (!target)
        return fail(ctx, Text::tr("'%1' is neither a machine nor a group; use --group to start a new group").arg(name));
    QFile file;
    const bool opened = fileName == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                       : (file.setFileName(fileName), file.open(QIODevice::ReadOnly));
    if (!opened)
        return fail(ctx, Text::tr("cannot read %1: %2").arg(fileName, file.errorString()));
    const QByteArray json = file.readAll();
    const ParsedConfig parsed = parseMachineConfig(json);
    if (!parsed.ok()) {
        for (const ConfigIssue &issue : parsed.issues) {
            ctx.err << "drover: " << fileName << ": "
                    << (issue.field.isEmpty() ? issue.message
                                              : QStringLiteral("%1: %2").arg(issue.field, issue.message))
                    << '\n';
        }
        ctx.err << Text::tr("drover: nothing saved") << Qt::endl;
        return ExitError;
    }
    Catalog *c = ctx.lab->catalog();
    const auto current = c->config(target->first, target->second);
    qint64 base = current ? current->revision : 0;
    if (p.isSet(QStringLiteral("revision"))) {
        bool ok = false;
        base = p.value(QStringLiteral("revision")).toLongLong(&ok);
        if (!ok || base < 0)
            return usageError(ctx, Text::tr("drover: --revision wants a number"));
    }
    auto saved
        = c->setConfig(target->first, target->second, QString::fromUtf8(parsed.config.toJsonText()), base, ctx.who);
    if (!saved)
        return fail(ctx, saved.error());
    // Rendering can still fail per machine (a label it lacks): say so now, not at its boot.
    for (const Machine &m : c->machines()) {
        const bool concerned
            = target->first == TargetKind::Machine ? m.name == target->second : m.group() == target->second;
        if (!concerned)
            continue;
        auto effective = effectiveConfig(*c, m);
        if (effective && effective.value()) {
            RenderContext context = RenderContext::of(m);
            if (context.ip.isEmpty())
                context.ip = QStringLiteral("0.0.0.0"); // known at boot
            if (auto r = renderDroverConfig((*effective)->config, context); !r)
                ctx.err << Text::tr("drover: warning: %1 cannot be configured yet: %2").arg(m.name, r.error())
                        << Qt::endl;
        }
    }
    if (ctx.json)
        printJson(ctx, recordJson(saved.value()));
    else
        ctx.out << Text::tr("configuration of %1 saved (revision %2); it applies from the next boot")
                       .arg(targetText(target->first, target->second))
                       .arg(saved->revision)
                << Qt::endl;
    return ExitOk;
}

int configRemove(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().first();
    auto target = resolveTarget(ctx, name, p.isSet(QStringLiteral("group")));
    if (!target)
        return fail(ctx, Text::tr("'%1' is neither a machine nor a group").arg(name));
    Catalog *c = ctx.lab->catalog();
    const auto current = c->config(target->first, target->second);
    if (!current)
        return fail(ctx, Text::tr("%1 has no configuration").arg(targetText(target->first, target->second)));
    if (Status s = c->removeConfig(target->first, target->second, current->revision); !s)
        return fail(ctx, s.error());
    if (!ctx.json)
        ctx.out << Text::tr("configuration of %1 removed").arg(targetText(target->first, target->second)) << Qt::endl;
    else
        printJson(ctx, QJsonObject { { QStringLiteral("removed"), recordJson(*current) } });
    return ExitOk;
}

} // namespace

QList<Verb> configVerbs()
{
    return {
        { { QStringLiteral("config"), QStringLiteral("show") }, QStringLiteral("MACHINE|GROUP [--group] [--rendered]"),
            Text::tr("Print a machine's or group's configuration (JSON), or with --rendered what the machine "
                     "receives at boot."),
            configShow },
        { { QStringLiteral("config"), QStringLiteral("set") },
            QStringLiteral("MACHINE|GROUP FILE.json|- [--group] [--revision N]"),
            Text::tr("Replace a machine's or group's configuration with a JSON file, after checking it."), configSet },
        { { QStringLiteral("config"), QStringLiteral("rm") }, QStringLiteral("MACHINE|GROUP [--group]"),
            Text::tr("Remove a machine's or group's configuration."), configRemove },
    };
}

} // namespace drover
