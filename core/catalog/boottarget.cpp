#include "catalog/boottarget.h"

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
    }
    return {};
}

std::optional<BootTarget> BootTarget::fromKey(const QString &key)
{
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

QString describeAssigned(const QString &stored)
{
    if (const auto target = BootTarget::fromStored(stored))
        return target->displayName();
    return stored;
}

} // namespace drover
