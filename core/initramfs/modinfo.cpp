#include "initramfs/modinfo.h"

#include <KCompressionDevice>

#include <QCoreApplication>
#include <QFile>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ModInfo)
};

// The value of a "\0key=value\0" string in the image, or empty.
QByteArray field(const QByteArray &image, const QByteArray &key)
{
    const QByteArray needle = '\0' + key + '=';
    const qsizetype at = image.indexOf(needle);
    if (at < 0)
        return {};
    const qsizetype start = at + needle.size();
    const qsizetype end = image.indexOf('\0', start);
    return image.mid(start, end < 0 ? -1 : end - start);
}

} // namespace

ModuleInfo parseModuleInfo(const QByteArray &image)
{
    ModuleInfo info;
    for (const QByteArray &d : field(image, "depends").split(',')) {
        if (!d.isEmpty())
            info.depends.append(QString::fromUtf8(d).replace(QLatin1Char('-'), QLatin1Char('_')));
    }
    for (const QByteArray &word : field(image, "softdep").simplified().split(' ')) {
        if (!word.isEmpty() && !word.endsWith(':'))
            info.softdeps.append(QString::fromUtf8(word).replace(QLatin1Char('-'), QLatin1Char('_')));
    }
    return info;
}

Result<ModuleInfo> readModuleInfo(const QString &path)
{
    QByteArray image;
    std::optional<KCompressionDevice::CompressionType> type;
    if (path.endsWith(QLatin1String(".xz")))
        type = KCompressionDevice::Xz;
    else if (path.endsWith(QLatin1String(".zst")))
        type = KCompressionDevice::Zstd;
    else if (path.endsWith(QLatin1String(".gz")))
        type = KCompressionDevice::GZip;
    if (type) {
        KCompressionDevice device(path, *type);
        if (!device.open(QIODevice::ReadOnly))
            return Result<ModuleInfo>::failure(Text::tr("cannot read the module %1").arg(path));
        image = device.readAll();
    } else {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return Result<ModuleInfo>::failure(Text::tr("cannot read the module %1: %2").arg(path, f.errorString()));
        image = f.readAll();
    }
    if (!image.startsWith("\x7f"
                          "ELF"))
        return Result<ModuleInfo>::failure(Text::tr("%1 is not a kernel module").arg(path));
    return parseModuleInfo(image);
}

} // namespace drover
