#include "catalog/records.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace drover {

QString machineStateKey(MachineState state)
{
    switch (state) {
    case MachineState::Unknown:
        return QStringLiteral("unknown");
    case MachineState::Booting:
        return QStringLiteral("booting");
    case MachineState::Ready:
        return QStringLiteral("ready");
    case MachineState::Failed:
        return QStringLiteral("failed");
    case MachineState::Offline:
        return QStringLiteral("offline");
    }
    return QStringLiteral("unknown");
}

MachineState machineStateFromKey(const QString &key)
{
    for (MachineState s : { MachineState::Booting, MachineState::Ready, MachineState::Failed, MachineState::Offline }) {
        if (machineStateKey(s) == key)
            return s;
    }
    return MachineState::Unknown;
}

QString targetKindKey(TargetKind kind)
{
    switch (kind) {
    case TargetKind::Machine:
        return QStringLiteral("machine");
    case TargetKind::Group:
        return QStringLiteral("group");
    case TargetKind::Default:
        return QStringLiteral("default");
    }
    return {};
}

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(IsoRecord)
};

} // namespace

QString isoNameError(const QString &name)
{
    // Letters, digits and . _ - only: the name goes into iPXE and GRUB scripts and menus.
    static const QRegularExpression valid(QStringLiteral("\\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z"));
    if (valid.match(name).hasMatch())
        return {};
    return Text::tr("'%1' cannot name an ISO: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
                    "or digit")
        .arg(name.left(80));
}

} // namespace drover
