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
#include <QLocale>

#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(IsoVerbs)
};

QString bytes(qint64 size)
{
    return QLocale().formattedDataSize(size, 1, QLocale::DataSizeTraditionalFormat);
}

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
    if (!ctx.json && ::isatty(STDERR_FILENO) && total > 0) {
        auto last = std::make_shared<int>(-1);
        progress = [&ctx, last, total](qint64 done) {
            const int percent = int(done * 100 / total);
            if (percent != *last) {
                *last = percent;
                ctx.err << '\r' << Text::tr("storing") << ' ' << percent << '%' << (percent == 100 ? "\n" : "")
                        << Qt::flush;
            }
            return true;
        };
    }
    auto iso = addIsoFile(*ctx.lab->catalog(), ctx.lab->storeDir(), path, name, ctx.who, progress);
    if (!iso)
        return fail(ctx, iso.error());
    if (ctx.json)
        printJson(ctx, isoJson(iso.value(), {}));
    else
        ctx.out << Text::tr("added ISO %1 (%2, %3); boot a machine from it with drover assign MACHINE --target %4")
                       .arg(iso->name, bytes(iso->size), iso->digest.left(19), BootTarget::forIso(iso->name).key())
                << Qt::endl;
    return ExitOk;
}

int isoList(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    const Catalog *catalog = ctx.lab->catalog();
    QJsonArray array;
    QList<QStringList> rows;
    for (const IsoRecord &iso : catalog->isos()) {
        const QStringList users = catalog->usersOfImage(BootTarget::forIso(iso.name).stored());
        array.append(isoJson(iso, users));
        rows.append({ iso.name, bytes(iso.size), iso.digest.left(19), iso.added.toLocalTime().toString(Qt::ISODate),
            users.isEmpty() ? Text::tr("-") : users.join(QStringLiteral(", ")) });
    }
    if (ctx.json) {
        printJson(ctx, array);
        return ExitOk;
    }
    if (rows.isEmpty()) {
        ctx.out << Text::tr("no ISOs; add one with drover iso add FILE.iso") << Qt::endl;
        return ExitOk;
    }
    printTable(
        ctx, { Text::tr("NAME"), Text::tr("SIZE"), Text::tr("DIGEST"), Text::tr("ADDED"), Text::tr("USED BY") }, rows);
    return ExitOk;
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
