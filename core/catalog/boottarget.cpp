#include "catalog/boottarget.h"

#include "catalog/records.h"

#include <QCoreApplication>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootTarget)
};

constexpr QLatin1Char kMarker('@');

} // namespace

QString BootTarget::key() const
{
    switch (kind) {
    case BootTargetKind::LocalDisk:
        return QStringLiteral("local-disk");
    case BootTargetKind::Memtest:
        return QStringLiteral("memtest");
    case BootTargetKind::Menu:
        return QStringLiteral("menu");
    case BootTargetKind::Iso:
        return QStringLiteral("iso:") + iso;
    }
    return {};
}

QString BootTarget::stored() const
{
    return kMarker + key();
}

QString BootTarget::displayName() const
{
    switch (kind) {
    case BootTargetKind::LocalDisk:
        return Text::tr("Local disk");
    case BootTargetKind::Memtest:
        return Text::tr("Memory test (memtest86+)");
    case BootTargetKind::Menu:
        return Text::tr("Boot menu");
    case BootTargetKind::Iso:
        return Text::tr("ISO %1").arg(iso);
    }
    return {};
}

std::optional<BootTarget> BootTarget::fromKey(const QString &key)
{
    if (key.startsWith(QLatin1String("iso:"))) {
        const QString name = key.mid(4);
        if (!isoNameError(name).isEmpty())
            return std::nullopt;
        return BootTarget::forIso(name);
    }
    for (const BootTargetKind kind : { BootTargetKind::LocalDisk, BootTargetKind::Memtest, BootTargetKind::Menu }) {
        if (BootTarget { kind }.key() == key)
            return BootTarget { kind };
    }
    return std::nullopt;
}

std::optional<BootTarget> BootTarget::fromStored(const QString &stored)
{
    if (!stored.startsWith(kMarker))
        return std::nullopt;
    return fromKey(stored.mid(1));
}

QStringList BootTarget::keys()
{
    return { BootTarget { BootTargetKind::LocalDisk }.key(), BootTarget { BootTargetKind::Memtest }.key(),
        BootTarget { BootTargetKind::Menu }.key() };
}

QString BootTarget::keysHelp()
{
    return (keys() << QStringLiteral("iso:NAME")).join(QStringLiteral(", "));
}

QString describeAssigned(const QString &stored)
{
    if (const auto target = BootTarget::fromStored(stored))
        return target->displayName();
    return stored;
}

} // namespace drover
