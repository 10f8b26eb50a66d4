// RecipeDraft: loading, validating and saving what the build wizard edits.
#include "builder/recipedraft.h"

#include "store/manifest.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(RecipeDraft)
};

// The example recipes share one directory (their files and scripts sit beside them).
QString templateDir(const QString &name)
{
    return name == QLatin1String("minimal") ? QStringLiteral(":/templates/minimal")
                                            : QStringLiteral(":/templates/examples");
}

Result<QByteArray> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QByteArray>::failure(Text::tr("cannot read %1: %2").arg(path, f.errorString()));
    if (f.size() > 4 << 20)
        return Result<QByteArray>::failure(Text::tr("%1 is larger than 4 MiB; is it a recipe?").arg(path));
    return f.readAll();
}

Status writeFile(const QString &path, const QByteArray &bytes, bool executable)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return Status::failure(Text::tr("cannot create the directory %1").arg(QFileInfo(path).path()));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        return Status::failure(Text::tr("cannot write %1: %2").arg(path, f.errorString()));
    QFileDevice::Permissions p
        = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (executable)
        p |= QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
    f.setPermissions(p);
    return {};
}

} // namespace

QByteArray RecipeDraft::json() const
{
    Recipe r = recipe;
    r.fileModes.clear();
    r.filesDir.clear();
    if (!files.isEmpty()) {
        r.filesDir = QStringLiteral("files");
        for (const DraftFile &f : files) {
            if (!f.mode.isEmpty())
                r.fileModes.insert(f.target, f.mode.toUInt(nullptr, 8));
        }
    }
    r.scripts.clear();
    for (const DraftScript &s : scripts)
        r.scripts.append(QStringLiteral("scripts/") + s.name);
    QJsonObject o = r.toJson();
    if (r.version.isEmpty())
        o.remove(QStringLiteral("version"));
    // Modes the user typed badly still reach the validator, which names the field.
    if (!files.isEmpty()) {
        QJsonObject filesObject = o.value(QStringLiteral("files")).toObject();
        QJsonObject modes = filesObject.value(QStringLiteral("modes")).toObject();
        for (const DraftFile &f : files) {
            if (!f.mode.isEmpty())
                modes.insert(f.target, f.mode);
        }
        filesObject.insert(QStringLiteral("modes"), modes);
        o.insert(QStringLiteral("files"), filesObject);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

RecipeParse RecipeDraft::validate() const
{
    RecipeParse parse = parseRecipe(json(), QStringLiteral("recipe.json"), QString(), false);
    auto issue = [&parse](const QString &field, const QString &message) {
        parse.issues.append({ QStringLiteral("recipe.json"), 0, 0, field, message });
        parse.recipe.reset();
    };
    QStringList targets;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString field = QStringLiteral("files.modes.") + files[i].target;
        const QStringList parts = files[i].target.split(QLatin1Char('/'));
        if (files[i].target.isEmpty() || files[i].target.startsWith(QLatin1Char('/')) || parts.contains(QString())
            || parts.contains(QStringLiteral("..")))
            issue(field, Text::tr("\"%1\" is not a path inside the image like \"etc/motd\"").arg(files[i].target));
        else if (targets.contains(files[i].target))
            issue(field, Text::tr("two files go to /%1").arg(files[i].target));
        targets.append(files[i].target);
    }
    QStringList names;
    for (qsizetype i = 0; i < scripts.size(); ++i) {
        const QString field = QStringLiteral("scripts[%1]").arg(i);
        if (!QRegularExpression(QStringLiteral("^[A-Za-z0-9_.+-]+\\z")).match(scripts[i].name).hasMatch()
            || scripts[i].name.startsWith(QLatin1Char('.')))
            issue(field, Text::tr("\"%1\" is not a script file name like \"10-setup.sh\"").arg(scripts[i].name));
        else if (names.contains(scripts[i].name))
            issue(field, Text::tr("two scripts are called \"%1\"").arg(scripts[i].name));
        names.append(scripts[i].name);
    }
    return parse;
}

Status RecipeDraft::save(const QString &dir) const
{
    // Written beside the target and swapped in at the end: the sources may live in `dir`.
    const QString fresh = dir + QStringLiteral(".new");
    QDir(fresh).removeRecursively();
    if (!QDir().mkpath(fresh))
        return Status::failure(Text::tr("cannot create the directory %1").arg(fresh));
    for (const DraftFile &f : files) {
        auto bytes = [&f]() -> Result<QByteArray> {
            QFile in(f.source);
            if (!in.open(QIODevice::ReadOnly))
                return Result<QByteArray>::failure(
                    Text::tr("cannot read %1 (for /%2): %3").arg(f.source, f.target, in.errorString()));
            return in.readAll();
        }();
        if (!bytes)
            return Status::failure(bytes.error());
        const bool exec = QFileInfo(f.source).isExecutable() && !f.source.startsWith(QLatin1Char(':'));
        if (Status s = writeFile(fresh + QStringLiteral("/files/") + f.target, *bytes, exec); !s)
            return s;
    }
    for (const DraftScript &s : scripts) {
        if (Status st = writeFile(fresh + QStringLiteral("/scripts/") + s.name, s.text.toUtf8(), true); !st)
            return st;
    }
    if (Status s = writeFile(fresh + QStringLiteral("/recipe.json"), json(), false); !s)
        return s;
    QDir(dir).removeRecursively();
    if (!QDir().rename(fresh, dir))
        return Status::failure(Text::tr("cannot rename %1 to %2").arg(fresh, dir));
    return {};
}

Result<RecipeDraft> RecipeDraft::fromJson(const QByteArray &json, const QString &baseDir, const QString &origin)
{
    RecipeParse parse = parseRecipe(json, origin, baseDir, false);
    if (!parse.recipe)
        return Result<RecipeDraft>::failure(parse.errorText());
    RecipeDraft d;
    d.recipe = *parse.recipe;
    d.origin = origin;
    if (d.recipe.versionDefaulted)
        d.recipe.version.clear();
    if (!d.recipe.filesDir.isEmpty()) {
        const QString root = QDir(baseDir).filePath(d.recipe.filesDir);
        QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString target = QDir(root).relativeFilePath(path);
            const auto mode = d.recipe.fileModes.constFind(target);
            d.files.append({ target, path,
                mode == d.recipe.fileModes.constEnd() ? QString()
                                                      : QStringLiteral("0%1").arg(*mode, 3, 8, QLatin1Char('0')) });
        }
        std::sort(
            d.files.begin(), d.files.end(), [](const DraftFile &a, const DraftFile &b) { return a.target < b.target; });
    }
    for (const QString &script : std::as_const(d.recipe.scripts)) {
        auto text = readFile(QDir(baseDir).filePath(script));
        // A recipe from the catalog may come without its scripts: keep the entry, empty.
        d.scripts.append({ QFileInfo(script).fileName(), text ? QString::fromUtf8(*text) : QString() });
    }
    return d;
}

Result<RecipeDraft> RecipeDraft::fromFile(const QString &path)
{
    auto bytes = readFile(path);
    if (!bytes)
        return Result<RecipeDraft>::failure(bytes.error());
    const QFileInfo info(path);
    return fromJson(*bytes, info.absolutePath(), info.fileName());
}

QStringList RecipeDraft::templateNames()
{
    return { QStringLiteral("debian-server"), QStringLiteral("debian-burnin"), QStringLiteral("inventory"),
        QStringLiteral("minimal") };
}

QString RecipeDraft::templateTitle(const QString &name)
{
    if (name == QLatin1String("debian-server"))
        return Text::tr("Debian server: systemd, networkd, OpenSSH, a user \"lab\" (the reference recipe)");
    if (name == QLatin1String("debian-burnin"))
        return Text::tr("Burn-in: tests CPU, memory, disks, SMART and NIC speed at every boot (stress-ng)");
    if (name == QLatin1String("inventory"))
        return Text::tr("Inventory: a busybox root of tens of MB that reports the hardware, for new machines");
    if (name == QLatin1String("minimal"))
        return Text::tr("Minimal: a kernel, systemd and the network; nothing else");
    return name;
}

Result<RecipeDraft> RecipeDraft::fromImport(
    const QString &kind, const QString &path, const QString &kernelPackage, const QString &kernelImage)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Result<RecipeDraft>::failure(Text::tr("There is no file or folder %1.").arg(path));
    if (kind == QLatin1String("rootfs") && !info.isFile())
        return Result<RecipeDraft>::failure(Text::tr("%1 is a folder; a root filesystem archive is a file "
                                                     "(.tar, .tar.gz, .tar.xz, .tar.zst).")
                .arg(path));
    // "debian-12.tar.zst" → "debian-12": a name the image can have.
    QString name = info.fileName().section(QLatin1Char('.'), 0, 0).toLower();
    name.replace(QRegularExpression(QStringLiteral("[^a-z0-9._-]+")), QStringLiteral("-"));
    name.remove(QRegularExpression(QStringLiteral("^[^a-z0-9]+")));
    if (!isValidImageName(name))
        name = QStringLiteral("imported");
    QJsonObject from { { kind, info.absoluteFilePath() } };
    if (!kernelPackage.trimmed().isEmpty())
        from.insert(QStringLiteral("kernelPackage"), kernelPackage.trimmed());
    else if (!kernelImage.isEmpty())
        from.insert(QStringLiteral("kernelImage"), kernelImage);
    const QJsonObject json { { QStringLiteral("name"), name }, { QStringLiteral("version"), QStringLiteral("1") },
        { QStringLiteral("from"), from },
        { QStringLiteral("kernelArgs"), QStringLiteral("console=tty0 console=ttyS0,115200 quiet") } };
    return fromJson(QJsonDocument(json).toJson(), info.absolutePath(), info.fileName());
}

Result<RecipeDraft> RecipeDraft::fromTemplate(const QString &name)
{
    const QString dir = templateDir(name);
    auto bytes = readFile(dir + QLatin1Char('/') + name + QStringLiteral(".json"));
    if (!bytes)
        return Result<RecipeDraft>::failure(bytes.error());
    auto draft = fromJson(*bytes, dir, Text::tr("template %1").arg(name));
    if (draft)
        draft->recipe.version = QStringLiteral("1");
    return draft;
}

QString nextVersion(const QString &version, const std::function<bool(const QString &)> &taken)
{
    static const QRegularExpression trailing(QStringLiteral("^(.*?)(\\d+)\\z"));
    static const QRegularExpression stamp(QStringLiteral("^\\d{8}-\\d{6}\\z"));
    const auto m = trailing.match(version);
    if (!version.isEmpty() && !stamp.match(version).hasMatch() && m.hasMatch() && m.captured(2).size() < 9) {
        QString prefix = m.captured(1);
        qlonglong n = m.captured(2).toLongLong();
        QString next;
        do
            next = prefix + QString::number(++n);
        while (taken && taken(next));
        return next;
    }
    QDateTime now = QDateTime::currentDateTimeUtc();
    QString next = now.toString(QStringLiteral("yyyyMMdd-HHmmss"));
    while (taken && taken(next)) {
        now = now.addSecs(1);
        next = now.toString(QStringLiteral("yyyyMMdd-HHmmss"));
    }
    return next;
}

QString recipeDirFor(const QString &dataDir, const QString &name)
{
    return QDir(dataDir).filePath(QStringLiteral("recipes/") + name);
}

} // namespace drover
