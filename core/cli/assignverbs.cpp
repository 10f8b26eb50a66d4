// `drover assign` and `drover history`: which image a machine, a group or the lab boots.
#include "boot/bootdecision.h"
#include "boot/layertracker.h"
#include "boot/secureboot.h"
#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "fleet/lifecycle.h"
#include "lab/lab.h"
#include "util/settingvalue.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

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

QString assignedText(const Assignment &a)
{
    switch (a.kind) {
    case TargetKind::Machine:
        return Text::tr("machine %1 boots %2 from its next boot").arg(a.target, describeAssigned(a.image));
    case TargetKind::Group:
        return Text::tr("group %1 boots %2 from the next boot of each machine")
            .arg(a.target, describeAssigned(a.image));
    case TargetKind::Default:
        break;
    }
    return Text::tr("machines without an assignment boot %1 from their next boot").arg(describeAssigned(a.image));
}

int assign(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("why"), Text::tr("Why: kept in the history."), QStringLiteral("TEXT") });
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group, even one with no machines yet.") });
    p.addOption({ QStringLiteral("default"), Text::tr("Set the image of machines with no other assignment.") });
    p.addOption({ QStringLiteral("target"), Text::tr("Boot this instead of an image: %1.").arg(BootTarget::keysHelp()),
        QStringLiteral("TARGET") });
    const bool fallback = ctx.args.contains(QStringLiteral("--default"));
    const bool toTarget = std::any_of(ctx.args.cbegin(), ctx.args.cend(),
        [](const QString &a) { return a == QLatin1String("--target") || a.startsWith(QLatin1String("--target=")); });
    const int positional = (fallback ? 1 : 2) - (toTarget ? 1 : 0);
    if (auto code = parseVerbArgs(ctx, verb, p, positional, positional))
        return *code;
    const QStringList args = p.positionalArguments();
    QString image = toTarget ? QString() : args.last();
    if (toTarget) {
        const auto target = BootTarget::fromKey(p.value(QStringLiteral("target")));
        if (!target)
            return fail(ctx,
                Text::tr("--target: '%1' is not a boot target; there are: %2")
                    .arg(p.value(QStringLiteral("target")), BootTarget::keysHelp()));
        image = target->stored();
    }
    auto target = resolveTarget(ctx, fallback ? QString() : args.first(), p.isSet(QStringLiteral("group")), fallback);
    if (!target)
        return fail(
            ctx, Text::tr("'%1' is neither a machine nor a group; use --group to start a new group").arg(args.first()));
    if (const QString why
        = secureBootRefusal(*ctx.lab->catalog(), ctx.lab->storeDir(), target->first, target->second, image);
        !why.isEmpty())
        return fail(ctx, why);
    auto a = ctx.lab->catalog()->assign(target->first, target->second, image, ctx.who, p.value(QStringLiteral("why")));
    if (!a)
        return fail(ctx, a.error());
    return printResult(ctx, assignmentJson(a.value()), assignedText(a.value()));
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
    Listing listing({ Text::tr("WHEN"), Text::tr("IMAGE"), Text::tr("WHO"), Text::tr("WHY") });
    for (const Assignment &a : ctx.lab->catalog()->history(target->first, target->second)) {
        listing.add(assignmentJson(a),
            { a.when.toLocalTime().toString(Qt::ISODate),
                a.image.isEmpty() ? Text::tr("(follows its group)") : describeAssigned(a.image), a.who, a.why });
    }
    return listing.print(ctx);
}

int rollback(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption(
        { QStringLiteral("to"), Text::tr("Roll back to this image (or boot target) rather than the previous one."),
            QStringLiteral("NAME:VERSION") });
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().first();
    auto target = resolveTarget(ctx, name, p.isSet(QStringLiteral("group")), false);
    if (!target)
        return fail(ctx, Text::tr("'%1' is neither a machine nor a group").arg(name));
    Lifecycle lifecycle(ctx.lab->catalog());
    lifecycle.setStoreDir(ctx.lab->storeDir());
    QString to = p.value(QStringLiteral("to"));
    if (const auto bootTarget = BootTarget::fromKey(to))
        to = bootTarget->stored();
    auto a = lifecycle.rollback(AssignTarget { target->first, target->second }, ctx.who, to);
    if (!a)
        return fail(ctx, a.error());
    return printResult(ctx, assignmentJson(a.value()), assignedText(a.value()));
}

int secureBoot(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("group"), Text::tr("TARGET is a group, even one with no machines yet.") });
    p.addOption({ QStringLiteral("default"), Text::tr("Set the mode of machines with no other setting.") });
    const bool fallback = ctx.args.contains(QStringLiteral("--default"));
    if (auto code = parseVerbArgs(ctx, verb, p, fallback ? 0 : 1, fallback ? 1 : 2))
        return *code;
    const QStringList args = p.positionalArguments();
    auto target = resolveTarget(ctx, fallback ? QString() : args.first(), p.isSet(QStringLiteral("group")), fallback);
    if (!target)
        return fail(
            ctx, Text::tr("'%1' is neither a machine nor a group; use --group for a new group").arg(args.first()));
    const QString key = target->first == TargetKind::Machine ? secureBootMachineKey(target->second)
        : target->first == TargetKind::Group                 ? secureBootGroupKey(target->second)
                                                             : secureBootDefaultKey();
    Catalog *catalog = ctx.lab->catalog();
    if (args.size() == (fallback ? 0 : 1)) { // show
        const QString own = catalog->setting(key);
        QString shown = own.isEmpty() ? Text::tr("not set") : own;
        if (const auto m = target->first == TargetKind::Machine ? catalog->machineByName(target->second) : std::nullopt)
            shown = Text::tr("%1 (own setting: %2)")
                        .arg(secureBootModeKey(
                                 secureBootModeFor([catalog](const QString &k) { return catalog->setting(k); }, *m)),
                            own.isEmpty() ? Text::tr("none") : own);
        if (ctx.json)
            printJson(ctx, QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("value"), own } });
        else
            ctx.out << shown << Qt::endl;
        return ExitOk;
    }
    const auto mode = secureBootModeFromKey(args.last());
    if (!mode)
        return fail(ctx, Text::tr("'%1' is not one of on, off, auto").arg(args.last()));
    if (*mode == SecureBootMode::On) {
        // Machines that already boot an unsigned kernel would stop booting: say so now. Who
        // is "on" afterwards is what the settings say with this one changed.
        QMap<QString, QString> after = catalog->settings(secureBootPrefix());
        after.insert(key, secureBootModeKey(*mode));
        const auto setting = [&after](const QString &k) { return after.value(k); };
        QHash<QString, QStringList> byImage;
        for (const Machine &m : catalog->machines()) {
            if (secureBootModeFor(setting, m) != SecureBootMode::On)
                continue;
            if (const auto assigned = catalog->effectiveAssignment(m); assigned && !assigned->image.isEmpty())
                byImage[assigned->image].append(m.name);
        }
        for (auto it = byImage.cbegin(); it != byImage.cend(); ++it) {
            if (const QString why = unsignedKernelRefusal(ctx.lab->storeDir(), it.key(), it.value()); !why.isEmpty())
                return fail(ctx, why);
        }
    }
    if (Status s = catalog->setSetting(key, secureBootModeKey(*mode)); !s)
        return fail(ctx, s.error());
    if (!ctx.json)
        ctx.out << Text::tr("secure boot %1 for %2 from its next boot")
                       .arg(secureBootModeKey(*mode),
                           target->first == TargetKind::Default ? Text::tr("machines without their own setting")
                                                                : target->second)
                << Qt::endl;
    return ExitOk;
}

int menuTimeout(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 1))
        return *code;
    Catalog *catalog = ctx.lab->catalog();
    const QString key = QStringLiteral("boot/menu-timeout");
    if (p.positionalArguments().isEmpty()) {
        const QString value = catalog->setting(key);
        const int seconds = value.isEmpty() ? kDefaultMenuTimeoutSeconds : value.toInt();
        if (ctx.json)
            printJson(ctx, QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("seconds"), seconds } });
        else
            ctx.out << Text::tr("%1 s").arg(seconds) << Qt::endl;
        return ExitOk;
    }
    bool ok = false;
    const int seconds = p.positionalArguments().first().toInt(&ok);
    if (!ok || seconds < 1 || seconds > 3600)
        return fail(
            ctx, Text::tr("'%1' is not a number of seconds from 1 to 3600").arg(p.positionalArguments().first()));
    if (Status s = catalog->setSetting(key, QString::number(seconds)); !s)
        return fail(ctx, s.error());
    if (!ctx.json)
        ctx.out << Text::tr("boot menus wait %1 s, then boot their first entry").arg(seconds) << Qt::endl;
    return ExitOk;
}

// Whether machines fetch layers from their neighbours (docs/peer-download.md), and how many
// uploads a machine and Drover take at once.
int peers(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("uploads"),
        Text::tr("Layer uploads a machine serves at once (K, default %1).").arg(LayerTracker::kDefaultUploads),
        QStringLiteral("K") });
    p.addOption({ QStringLiteral("server-slots"),
        Text::tr("Layer downloads Drover serves at once while neighbours could serve them (S, default %1): about "
                 "the uplink's rate over a machine's link.")
            .arg(LayerTracker::kDefaultServerSlots),
        QStringLiteral("S") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 1))
        return *code;
    Catalog *catalog = ctx.lab->catalog();
    const QString enabledKey = QLatin1String(LayerTracker::kEnabledSetting);
    const QString uploadsKey = QLatin1String(LayerTracker::kUploadsSetting);
    const QString slotsKey = QLatin1String(LayerTracker::kServerSlotsSetting);
    const QString mode = p.positionalArguments().value(0);
    if (!mode.isEmpty() && mode != QLatin1String("on") && mode != QLatin1String("off"))
        return fail(ctx, Text::tr("'%1' is not one of on, off").arg(mode));
    // Each number checked before anything is written: a typo changes nothing.
    QList<QPair<QString, QString>> changes;
    for (const auto &[option, key] : { std::pair { QStringLiteral("uploads"), uploadsKey },
             std::pair { QStringLiteral("server-slots"), slotsKey } }) {
        if (!p.isSet(option))
            continue;
        const QString value = p.value(option);
        if (LayerTracker::limitFrom(value, 0) == 0)
            return fail(ctx, Text::tr("--%1 '%2' is not a number from 1 to 1000").arg(option, value));
        changes.append({ key, QString::number(value.trimmed().toInt()) });
    }
    if (!mode.isEmpty())
        changes.append({ enabledKey, mode });
    for (const auto &[key, value] : std::as_const(changes)) {
        if (Status s = catalog->setSetting(key, value); !s)
            return fail(ctx, s.error());
    }
    const bool on = settingIsOn(catalog->setting(enabledKey));
    const int uploads = LayerTracker::limitFrom(catalog->setting(uploadsKey), LayerTracker::kDefaultUploads);
    const int slots = LayerTracker::limitFrom(catalog->setting(slotsKey), LayerTracker::kDefaultServerSlots);
    if (ctx.json) {
        printJson(ctx,
            QJsonObject { { QStringLiteral("peers"), on }, { QStringLiteral("uploads"), uploads },
                { QStringLiteral("serverSlots"), slots } });
    } else if (on) {
        ctx.out << Text::tr("machines fetch layers from their neighbours from their next boot: each serves %1 at "
                            "once, Drover %2 while neighbours could")
                       .arg(uploads)
                       .arg(slots)
                << Qt::endl;
    } else {
        ctx.out << Text::tr("machines fetch every layer from Drover (peers off)") << Qt::endl;
    }
    return ExitOk;
}

// The staging image new machines boot under the "register" policy (inventory, burn-in).
int newMachineImage(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("none"), Text::tr("New machines wait for an admin again.") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 1))
        return *code;
    Catalog *catalog = ctx.lab->catalog();
    const bool none = p.isSet(QStringLiteral("none"));
    if (none && !p.positionalArguments().isEmpty())
        return usageError(ctx, Text::tr("drover: give an image or --none, not both"));
    if (!none && p.positionalArguments().isEmpty()) {
        const QString tag = catalog->setting(kNewMachineImageSetting);
        if (ctx.json)
            printJson(ctx, QJsonObject { { QStringLiteral("image"), tag } });
        else if (tag.isEmpty())
            ctx.out << Text::tr("new machines wait for an admin (none set)") << Qt::endl;
        else
            ctx.out << Text::tr("new machines boot %1 until they are assigned an image").arg(tag) << Qt::endl;
        return ExitOk;
    }
    const QString tag = none ? QString() : p.positionalArguments().first();
    if (!tag.isEmpty() && !catalog->imageByTag(tag))
        return fail(ctx, Text::tr("there is no image %1 in the catalog").arg(tag));
    if (Status s = catalog->setSetting(kNewMachineImageSetting, tag); !s)
        return fail(ctx, s.error());
    if (!ctx.json && !tag.isEmpty() && catalog->setting(QStringLiteral("boot/unknown")) != QLatin1String("register"))
        ctx.out << Text::tr("note: unknown machines boot it only under the register policy (Server panel, or drover "
                            "--headless --unknown register)")
                << Qt::endl;
    return ExitOk;
}

} // namespace

QList<Verb> assignVerbs()
{
    return {
        { { QStringLiteral("assign") },
            QStringLiteral("MACHINE|GROUP NAME:VERSION|--target local-disk|memtest|menu [--why TEXT] | "
                           "--default NAME:VERSION"),
            Text::tr("Assign an image, or a boot target instead of one; it takes effect at the next boot."), assign },
        { { QStringLiteral("history") }, QStringLiteral("MACHINE|GROUP | --default"),
            Text::tr("List the assignments of a machine or group, newest first."), history },
        { { QStringLiteral("rollback") }, QStringLiteral("MACHINE|GROUP [--to NAME:VERSION|TARGET]"),
            Text::tr("Return a machine or group to its previous image (or the one given) from its next boot."),
            rollback },
        { { QStringLiteral("menu-timeout") }, QStringLiteral("[SECONDS]"),
            Text::tr("Show or set how long the boot menu (--target menu) waits before it boots its first entry."),
            menuTimeout },
        { { QStringLiteral("peers") }, QStringLiteral("[on|off] [--uploads K] [--server-slots S]"),
            Text::tr("Show or set whether machines fetch layers from neighbours that hold them (every byte still "
                     "checked against its digest) instead of all from Drover."),
            peers },
        { { QStringLiteral("new-machine-image") }, QStringLiteral("[NAME:VERSION | --none]"),
            Text::tr("Show or set the image unknown machines boot once registered (policy register): an inventory "
                     "or burn-in image, until someone assigns them one."),
            newMachineImage },
        { { QStringLiteral("secure-boot") }, QStringLiteral("MACHINE|GROUP [on|off|auto] | --default [on|off|auto]"),
            Text::tr("Show or set which loader UEFI machines get: on = the signed chain (shim, GRUB, a signed "
                     "kernel), off = iPXE, auto = the signed chain when it is installed."),
            secureBoot },
    };
}

} // namespace drover
