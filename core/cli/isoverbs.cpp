// `drover iso add|ls|rm`: the ISOs machines can be sent to (drover assign M --target iso:NAME).
#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "store/isofile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(IsoVerbs)
};

QJsonObject isoJson(const IsoRecord &iso, const QStringList &users)
{
    return QJsonObject { { QStringLiteral("name"), iso.name }, { QStringLiteral("digest"), iso.digest },
        { QStringLiteral("size"), iso.size }, { QStringLiteral("added"), iso.added.toString(Qt::ISODate) },
        { QStringLiteral("addedBy"), iso.addedBy }, { QStringLiteral("file"), iso.notes },
        { QStringLiteral("target"), BootTarget::forIso(iso.name).key() },
        { QStringLiteral("usedBy"), QJsonArray::fromStringList(users) } };
}

int isoAdd(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("name"), Text::tr("The ISO's name (default: the file's name without .iso)."),
        QStringLiteral("NAME") });
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString path = p.positionalArguments().constFirst();
    const QString name = p.isSet(QStringLiteral("name")) ? p.value(QStringLiteral("name")) : defaultIsoName(path);
    BlobStore::Progress progress;
    const qint64 total = QFileInfo(path).size();
    if (auto printer = percentPrinter(ctx, Text::tr("storing")); printer && total > 0)
        progress = [printer, total](qint64 done) { return printer(done, total); };
    auto iso = addIsoFile(*ctx.lab->catalog(), ctx.lab->storeDir(), path, name, ctx.who, progress);
    if (!iso)
        return fail(ctx, iso.error());
    return printResult(ctx, isoJson(iso.value(), {}),
        Text::tr("added ISO %1 (%2, %3); boot a machine from it with drover assign MACHINE --target %4")
            .arg(iso->name, formatBytes(iso->size), iso->digest.left(19), BootTarget::forIso(iso->name).key()));
}

int isoList(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    const Catalog *catalog = ctx.lab->catalog();
    Listing listing({ Text::tr("NAME"), Text::tr("SIZE"), Text::tr("DIGEST"), Text::tr("ADDED"), Text::tr("USED BY") });
    for (const IsoRecord &iso : catalog->isos()) {
        const QStringList users = catalog->usersOfImage(BootTarget::forIso(iso.name).stored());
        listing.add(isoJson(iso, users),
            { iso.name, formatBytes(iso.size), iso.digest.left(19), iso.added.toLocalTime().toString(Qt::ISODate),
                users.isEmpty() ? Text::tr("-") : users.join(QStringLiteral(", ")) });
    }
    return listing.print(ctx, Text::tr("no ISOs; add one with drover iso add FILE.iso"));
}

int isoRemove(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString name = p.positionalArguments().constFirst();
    if (Status s = ctx.lab->catalog()->removeIso(name); !s)
        return fail(ctx, s.error());
    if (!ctx.json)
        ctx.out << Text::tr("removed ISO %1; drover image gc frees its bytes").arg(name) << Qt::endl;
    return ExitOk;
}

} // namespace

QList<Verb> isoVerbs()
{
    const QString iso = QStringLiteral("iso");
    return {
        { { iso, QStringLiteral("add") }, QStringLiteral("FILE.iso [--name NAME]"),
            Text::tr("Add a bootable ISO; machines boot it as the target iso:NAME."), isoAdd },
        { { iso, QStringLiteral("ls") }, QString(), Text::tr("List the ISOs and who uses them."), isoList },
        { { iso, QStringLiteral("rm") }, QStringLiteral("NAME"),
            Text::tr("Remove an ISO no machine uses (its bytes go at the next gc)."), isoRemove },
    };
}

} // namespace drover
