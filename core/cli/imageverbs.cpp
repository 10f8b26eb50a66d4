// `drover image ls|inspect|verify|export|import|rm|gc`: the image store and the catalog's
// images from the command line, on the same core as the image panel.
#include "boot/secureboot.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "store/bundle.h"
#include "store/imagestore.h"
#include "store/storegc.h"
#include "store/storeverify.h"
#include "vm/imagetest.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageVerbs)
};

ImageStore storeOf(const CliContext &ctx)
{
    return ImageStore(ctx.lab->storeDir());
}

// "90", "90s", "15m", "1h", "2d" → seconds; -1 when it is none of these.
qint64 parseDuration(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,9})([smhd]?)\\z"));
    const auto match = re.match(text.trimmed());
    if (!match.hasMatch())
        return -1;
    const qint64 n = match.captured(1).toLongLong();
    switch (match.captured(2).isEmpty() ? 's' : match.captured(2).at(0).toLatin1()) {
    case 'm':
        return n * 60;
    case 'h':
        return n * 3600;
    case 'd':
        return n * 86400;
    default:
        return n;
    }
}

// A verb without options whose `args` arguments start with an image NAME:VERSION: `run` gets
// the tag once it is checked, and all the arguments.
using TagVerbRun = int (*)(CliContext &ctx, const QString &tag, const QStringList &positional);
std::function<int(CliContext &, const Verb &)> tagVerb(int args, TagVerbRun run)
{
    return [args, run](CliContext &ctx, const Verb &verb) {
        QCommandLineParser p;
        if (auto code = parseVerbArgs(ctx, verb, p, args, args))
            return *code;
        const QStringList positional = p.positionalArguments();
        if (auto code = checkImageTag(ctx, positional.first()))
            return *code;
        return run(ctx, positional.first(), positional);
    };
}

// An image as the store and the catalog know it; one of them may not.
struct FoundImage {
    std::optional<Digest> manifest; // in the store
    std::optional<ImageRecord> record; // in the catalog
};

FoundImage findImage(CliContext &ctx, const ImageStore &store, const QString &tag)
{
    return { store.resolve(tag), ctx.lab->catalog()->imageByTag(tag) };
}

int imageList(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    const ImageStore store = storeOf(ctx);
    auto tags = store.readTags();
    if (!tags)
        return fail(ctx, tags.error());
    QMap<QString, Digest> inStore;
    for (const TagEntry &entry : tags.value())
        inStore.insert(entry.tag, entry.manifest);
    const QList<ImageRecord> images = ctx.lab->catalog()->images();
    const QMap<QString, int> users = ctx.lab->catalog()->machinesPerImage();

    Listing listing({ Text::tr("NAME"), Text::tr("VERSION"), Text::tr("SIZE"), Text::tr("CREATED"),
        Text::tr("MACHINES"), Text::tr("MANIFEST"), Text::tr("NOTE") });
    auto add = [&](const QString &name, const QString &version, const QString &digest, qint64 size,
                   const QDateTime &created, bool catalogued) {
        const QString tag = name + QLatin1Char(':') + version;
        const bool stored = inStore.contains(tag);
        const QJsonObject json { { QStringLiteral("name"), name }, { QStringLiteral("version"), version },
            { QStringLiteral("tag"), tag }, { QStringLiteral("manifestDigest"), digest },
            { QStringLiteral("size"), size },
            { QStringLiteral("created"), created.isValid() ? created.toString(Qt::ISODateWithMs) : QString() },
            { QStringLiteral("machines"), users.value(tag) }, { QStringLiteral("inStore"), stored },
            { QStringLiteral("inCatalog"), catalogued } };
        QString where;
        if (!stored)
            where = Text::tr("missing from the store");
        else if (!catalogued)
            where = Text::tr("not in the catalog");
        listing.add(json,
            { name, version, size >= 0 ? formatBytes(size) : QString(),
                created.isValid() ? created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString(),
                QString::number(users.value(tag)), digest.mid(7, 12), where });
    };
    QSet<QString> listed;
    for (const ImageRecord &image : images) {
        add(image.name, image.version, image.manifestDigest, image.size, image.created, true);
        listed.insert(image.tag());
    }
    for (const TagEntry &entry : tags.value()) {
        if (listed.contains(entry.tag))
            continue;
        const auto parts = splitTag(entry.tag);
        auto manifest = store.manifest(entry.manifest);
        add(parts ? parts->first : entry.tag, parts ? parts->second : QString(), entry.manifest.toString(),
            manifest ? manifest->totalSize() : -1, {}, false);
    }
    return listing.print(ctx);
}

int imageInspect(CliContext &ctx, const QString &tag, const QStringList &)
{
    const ImageStore store = storeOf(ctx);
    const auto [digest, record] = findImage(ctx, store, tag);
    if (!digest && !record)
        return fail(ctx, Text::tr("no image %1").arg(tag));
    if (!digest)
        return fail(ctx,
            Text::tr("image %1 is in the catalog (manifest %2) but not in the store %3")
                .arg(tag, record->manifestDigest, store.root()));
    auto json = store.blobs().readAll(*digest);
    if (!json)
        return fail(ctx, json.error());
    auto manifest = Manifest::fromJson(json.value());
    if (!manifest)
        return fail(ctx, manifest.error());
    const int machines = ctx.lab->catalog()->machinesPerImage().value(tag);
    const auto tested = lastImageTest(*ctx.lab->catalog(), tag);
    const auto signature = kernelSignatureOfFile(store.blobs().blobPath(manifest->kernel.digest));
    const QString signatureText = signature ? kernelSignatureText(signature.value()) : signature.error();
    if (ctx.json) {
        QJsonObject o { { QStringLiteral("tag"), tag }, { QStringLiteral("manifestDigest"), digest->toString() },
            { QStringLiteral("size"), manifest->totalSize() }, { QStringLiteral("machines"), machines },
            { QStringLiteral("manifest"), QJsonDocument::fromJson(json.value()).object() },
            { QStringLiteral("kernelSigned"), signature && signature.value() == KernelSignature::Signed } };
        if (record) {
            o.insert(QStringLiteral("created"), record->created.toString(Qt::ISODateWithMs));
            o.insert(QStringLiteral("recipe"), record->recipe);
            o.insert(QStringLiteral("notes"), record->notes);
        }
        if (tested)
            o.insert(QStringLiteral("test"),
                QJsonObject { { QStringLiteral("passed"), tested->passed },
                    { QStringLiteral("seconds"), tested->seconds }, { QStringLiteral("reason"), tested->reason },
                    { QStringLiteral("uefi"), tested->uefi },
                    { QStringLiteral("at"), tested->at.toString(Qt::ISODateWithMs) } });
        printJson(ctx, o);
        return ExitOk;
    }
    auto line = [&ctx](const QString &key, const QString &value) { printField(ctx, key, value); };
    line(Text::tr("image"), tag);
    line(Text::tr("manifest"), digest->toString());
    line(Text::tr("architecture"), manifest->architecture);
    line(Text::tr("format"), manifest->format);
    line(Text::tr("size"), formatBytes(manifest->totalSize()));
    line(Text::tr("created"), record ? record->created.toLocalTime().toString(Qt::ISODate) : QString());
    line(Text::tr("machines"), QString::number(machines));
    const QString firmware = tested && tested->uefi ? QStringLiteral("UEFI") : QStringLiteral("BIOS");
    line(Text::tr("tested in a VM"),
        !tested              ? Text::tr("not yet (drover image test %1)").arg(tag)
            : tested->passed ? Text::tr("passed %1 (%2), ready after %3 s")
                                   .arg(tested->at.toLocalTime().toString(Qt::ISODate), firmware)
                                   .arg(tested->seconds, 0, 'f', 1)
                             : Text::tr("failed %1 (%2): %3")
                                   .arg(tested->at.toLocalTime().toString(Qt::ISODate), firmware, tested->reason));
    line(Text::tr("kernel args"), manifest->kernelArgs);
    line(Text::tr("kernel"), signatureText);
    line(Text::tr("recipe"), manifest->recipeDigest.toString());
    for (const auto &[where, ref] : manifest->namedBlobs())
        line(where, ref.digest.toString() + QStringLiteral("  ") + formatBytes(ref.size));
    ctx.out << Qt::flush;
    return ExitOk;
}

int imageVerify(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("all"), Text::tr("Verify every image in the store (the default).") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 1))
        return *code;
    QStringList tags = p.positionalArguments();
    if (!tags.isEmpty() && p.isSet(QStringLiteral("all")))
        return usageError(ctx, Text::tr("drover: give either NAME:VERSION or --all"));
    for (const QString &tag : tags) {
        if (auto code = checkImageTag(ctx, tag))
            return *code;
    }
    auto report = verifyImages(storeOf(ctx), tags, percentPrinter(ctx, Text::tr("verifying")));
    if (!report)
        return fail(ctx, report.error());
    if (ctx.json) {
        QJsonArray problems;
        for (const BlobProblem &problem : report->problems) {
            problems.append(QJsonObject { { QStringLiteral("digest"), problem.digest.toString() },
                { QStringLiteral("size"), problem.expectedSize }, { QStringLiteral("problem"), problem.message },
                { QStringLiteral("images"), QJsonArray::fromStringList(problem.images) } });
        }
        printJson(ctx,
            QJsonObject { { QStringLiteral("ok"), report->ok() },
                { QStringLiteral("images"), QJsonArray::fromStringList(report->images) },
                { QStringLiteral("blobs"), report->blobs }, { QStringLiteral("bytes"), report->bytes },
                { QStringLiteral("problems"), problems } });
    } else {
        for (const BlobProblem &problem : report->problems) {
            ctx.out << problem.message << '\n'
                    << Text::tr("  used by: %1").arg(problem.images.join(QStringLiteral(", "))) << '\n';
        }
        ctx.out << Text::tr("%1 images, %2 blobs, %3 checked: %4")
                       .arg(report->images.size())
                       .arg(report->blobs)
                       .arg(formatBytes(report->bytes),
                           report->ok() ? Text::tr("all whole")
                                        : Text::tr("%1 corrupt or missing").arg(report->problems.size()))
                << Qt::endl;
    }
    return report->ok() ? ExitOk : ExitError;
}

int imageExport(CliContext &ctx, const QString &tag, const QStringList &args)
{
    const QString &file = args.at(1);
    const auto record = ctx.lab->catalog()->imageByTag(tag);
    auto exported
        = exportBundle(storeOf(ctx), tag, file, record ? record->recipe : QString(), percentPrinter(ctx, tag));
    if (!exported)
        return fail(ctx, exported.error());
    return printResult(ctx,
        QJsonObject { { QStringLiteral("tag"), tag },
            { QStringLiteral("manifestDigest"), exported->manifest.toString() }, { QStringLiteral("file"), file },
            { QStringLiteral("bytes"), exported->bytes } },
        Text::tr("exported %1 (%2) to %3").arg(tag, formatBytes(exported->bytes), file));
}

int imageImport(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, 1))
        return *code;
    const QString file = p.positionalArguments().first();
    auto imported = importBundle(storeOf(ctx), ctx.lab->catalog(), file, percentPrinter(ctx, file));
    if (!imported)
        return fail(ctx, imported.error());
    if (ctx.json) {
        QJsonArray manifests;
        for (const Digest &d : imported->manifests)
            manifests.append(d.toString());
        printJson(ctx,
            QJsonObject { { QStringLiteral("tags"), QJsonArray::fromStringList(imported->tags) },
                { QStringLiteral("manifests"), manifests }, { QStringLiteral("bytes"), imported->bytes },
                { QStringLiteral("blobsStored"), imported->blobsStored },
                { QStringLiteral("blobsPresent"), imported->blobsPresent },
                { QStringLiteral("blobsRepaired"), imported->blobsRepaired } });
    } else {
        ctx.out << Text::tr("imported %1 (%2; %3 new blobs, %4 already here)")
                       .arg(imported->tags.join(QStringLiteral(", ")), formatBytes(imported->bytes))
                       .arg(imported->blobsStored)
                       .arg(imported->blobsPresent)
                << '\n';
        if (imported->blobsRepaired > 0)
            ctx.out << Text::tr("repaired %n corrupt blob(s) from the bundle", nullptr, imported->blobsRepaired)
                    << '\n';
        ctx.out << Qt::flush;
    }
    return ExitOk;
}

int imageRemove(CliContext &ctx, const QString &tag, const QStringList &)
{
    Catalog *catalog = ctx.lab->catalog();
    const ImageStore store = storeOf(ctx);
    const FoundImage found = findImage(ctx, store, tag);
    const bool catalogued = found.record.has_value();
    const bool stored = found.manifest.has_value();
    if (!catalogued && !stored)
        return fail(ctx, Text::tr("no image %1").arg(tag));
    // Checked here too, for a tag in use that the catalog has no image row for.
    if (catalog->imagesInUse().contains(tag))
        return fail(ctx,
            Text::tr("image %1 is in use (assigned, or a machine's current or last-known-good image); "
                     "assign another image first")
                .arg(tag));
    if (catalogued) {
        if (Status s = catalog->removeImage(tag); !s)
            return fail(ctx, s.error());
    }
    if (stored) {
        if (Status s = store.removeTag(tag); !s)
            return fail(ctx, s.error());
    }
    if (!ctx.json)
        ctx.out << Text::tr("removed image %1; drover image gc frees its blobs").arg(tag) << Qt::endl;
    return ExitOk;
}

int imageGc(CliContext &ctx, const Verb &verb)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("dry-run"), Text::tr("Only list what would be deleted.") });
    p.addOption({ QStringLiteral("grace"), Text::tr("Keep blobs younger than this (e.g. 30m, 1h, 2d; default 1h)."),
        QStringLiteral("DURATION"), QStringLiteral("1h") });
    if (auto code = parseVerbArgs(ctx, verb, p, 0, 0))
        return *code;
    GcOptions options;
    options.dryRun = p.isSet(QStringLiteral("dry-run"));
    options.graceSeconds = parseDuration(p.value(QStringLiteral("grace")));
    if (options.graceSeconds < 0)
        return usageError(ctx,
            Text::tr("drover: --grace '%1' is not a duration like 30m, 1h or 2d")
                .arg(p.value(QStringLiteral("grace"))));
    options.roots = catalogRoots(*ctx.lab->catalog());
    options.blobs = catalogBlobs(*ctx.lab->catalog());
    auto report = collectGarbage(storeOf(ctx), options);
    if (!report)
        return fail(ctx, report.error());
    if (ctx.json) {
        auto list = [](const QList<GcEntry> &entries, const QString &key) {
            QJsonArray array;
            for (const GcEntry &e : entries)
                array.append(QJsonObject { { key, e.name }, { QStringLiteral("size"), e.size } });
            return array;
        };
        printJson(ctx,
            QJsonObject { { QStringLiteral("dryRun"), report->dryRun },
                { QStringLiteral("blobs"), list(report->blobs, QStringLiteral("digest")) },
                { QStringLiteral("tempFiles"), list(report->tempFiles, QStringLiteral("name")) },
                { QStringLiteral("bytesFreed"), report->bytesFreed },
                { QStringLiteral("reachable"), report->reachable }, { QStringLiteral("young"), report->young },
                { QStringLiteral("notes"), QJsonArray::fromStringList(report->notes) } });
        return ExitOk;
    }
    const QString verbText = report->dryRun ? Text::tr("would delete") : Text::tr("deleted");
    for (const GcEntry &e : report->blobs + report->tempFiles)
        ctx.out << verbText << ' ' << e.name << "  " << formatBytes(e.size) << '\n';
    for (const QString &note : report->notes)
        ctx.out << Text::tr("note: %1").arg(note) << '\n';
    ctx.out << (report->dryRun ? Text::tr("%1 would be freed (%2 blobs, %3 temporary files); %4 blobs in use, %5 "
                                          "younger than the grace period")
                               : Text::tr("%1 freed (%2 blobs, %3 temporary files); %4 blobs in use, %5 younger than "
                                          "the grace period"))
                   .arg(formatBytes(report->bytesFreed))
                   .arg(report->blobs.size())
                   .arg(report->tempFiles.size())
                   .arg(report->reachable)
                   .arg(report->young)
            << Qt::endl;
    return ExitOk;
}

} // namespace

std::optional<int> checkImageTag(CliContext &ctx, const QString &tag)
{
    if (splitTag(tag))
        return std::nullopt;
    return usageError(ctx, Text::tr("drover: '%1' is not an image NAME:VERSION").arg(tag));
}

QList<Verb> imageVerbs()
{
    const QString image = QStringLiteral("image");
    return {
        { { image, QStringLiteral("ls") }, QString(), Text::tr("List the images (catalog and store)."), imageList },
        { { image, QStringLiteral("inspect") }, QStringLiteral("NAME:VERSION"),
            Text::tr("Show an image's manifest, layers and catalog record."), tagVerb(1, imageInspect) },
        { { image, QStringLiteral("verify") }, QStringLiteral("[NAME:VERSION|--all]"),
            Text::tr("Re-hash every blob of an image (or of all); list corrupt or missing ones."), imageVerify },
        { { image, QStringLiteral("export") }, QStringLiteral("NAME:VERSION FILE.tar"),
            Text::tr("Write an image with all its blobs to a bundle."), tagVerb(2, imageExport) },
        { { image, QStringLiteral("import") }, QStringLiteral("FILE.tar"),
            Text::tr("Verify a bundle and add its image to the store and the catalog."), imageImport },
        { { image, QStringLiteral("rm") }, QStringLiteral("NAME:VERSION"),
            Text::tr("Remove an image no machine uses (its blobs go at the next gc)."), tagVerb(1, imageRemove) },
        { { image, QStringLiteral("gc") }, QStringLiteral("[--dry-run] [--grace DURATION]"),
            Text::tr("Delete blobs no image needs, older than the grace period."), imageGc },
    };
}

} // namespace drover
