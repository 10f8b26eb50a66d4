#include "catalog/records.h"

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

} // namespace drover
