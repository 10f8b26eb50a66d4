#include "fleet/fleetsummary.h"

#include "catalog/catalog.h"

namespace drover {

FleetSummary::FleetSummary(Catalog *catalog, QWidget *parent)
    : QLabel(parent)
    , m_catalog(catalog)
{
    setObjectName(QStringLiteral("fleetSummary"));
    setAccessibleName(tr("Fleet summary"));
    setToolTip(tr("The machines of the catalog by their last known state"));
    // A boot storm changes machines many times a second: counted once per burst.
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(200);
    connect(&m_coalesce, &QTimer::timeout, this, &FleetSummary::refresh);
    connect(m_catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table == QLatin1String("machine") || table == QLatin1String("*"))
            m_coalesce.start();
    });
    refresh();
}

void FleetSummary::refresh()
{
    int counts[5] = {};
    const QList<Machine> machines = m_catalog->machines();
    for (const Machine &m : machines)
        ++counts[qBound(0, int(m.state), 4)];
    QStringList parts;
    auto add = [&parts](int n, const QString &text) {
        if (n > 0)
            parts.append(text);
    };
    add(counts[int(MachineState::Ready)], tr("%n ready", nullptr, counts[int(MachineState::Ready)]));
    add(counts[int(MachineState::Booting)], tr("%n booting", nullptr, counts[int(MachineState::Booting)]));
    add(counts[int(MachineState::Failed)], tr("%n failed", nullptr, counts[int(MachineState::Failed)]));
    add(counts[int(MachineState::Offline)], tr("%n offline", nullptr, counts[int(MachineState::Offline)]));
    add(counts[int(MachineState::Unknown)], tr("%n not booted yet", nullptr, counts[int(MachineState::Unknown)]));
    const QString total = tr("%n machine(s)", nullptr, int(machines.size()));
    setText(parts.isEmpty() ? total : total + QStringLiteral(": ") + parts.join(QStringLiteral(" · ")));
}

} // namespace drover
