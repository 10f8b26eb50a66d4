#include "fleet/machinedetails.h"

#include "boot/firmwarefacts.h"
#include "catalog/catalog.h"
#include "fleet/configeditor.h"
#include "fleet/hardwaretab.h"
#include "fleet/teststab.h"
#include "main/readablecolor.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover {

MachineDetails::MachineDetails(Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
    , m_summary(new QLabel(this))
    , m_phases(new QTreeWidget(this))
    , m_history(new QTreeWidget(this))
    , m_config(new ConfigEditor(catalog, this))
    , m_hardware(new HardwareTab(catalog, this))
    , m_tests(new TestsTab(catalog, this))
{
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_phases->setHeaderLabels({ tr("Phase"), tr("At"), tr("Took"), tr("Detail") });
    m_phases->setRootIsDecorated(false);
    m_phases->setAccessibleName(tr("Last boot's phases"));
    m_history->setHeaderLabels({ tr("When"), tr("Image"), tr("Who"), tr("Why") });
    m_history->setRootIsDecorated(false);
    m_history->setAccessibleName(tr("Assignment history"));
    auto *tabs = new QTabWidget(this);
    tabs->addTab(m_phases, tr("Last boot"));
    tabs->addTab(m_history, tr("History"));
    tabs->addTab(m_hardware, tr("Hardware"));
    tabs->addTab(m_tests, tr("Tests"));
    tabs->addTab(m_config, tr("Configuration"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(tabs, 1);
    connect(catalog, &Catalog::changed, this, [this](const QString &table) {
        if (!m_machine.isEmpty() && table != QLatin1String("setting"))
            refresh();
    });
    showMachine({});
}

void MachineDetails::showMachine(const QString &name)
{
    m_machine = name;
    m_config->setMachine(name); // it and the hardware and tests tabs follow catalog changes themselves
    m_hardware->setMachine(name);
    m_tests->setMachine(name);
    refresh();
}

void MachineDetails::refresh()
{
    m_phases->clear();
    m_history->clear();
    const auto machine = m_machine.isEmpty() ? std::nullopt : m_catalog->machineByName(m_machine);
    if (!machine) {
        m_summary->setText(tr("Select a machine in the fleet table to see its boots and history."));
        return;
    }
    const auto assignment = m_catalog->effectiveAssignment(*machine);
    QString why;
    if (!assignment)
        why = tr("nothing is assigned: it boots nothing until an image is assigned to it, its group or the default");
    else if (assignment->kind == TargetKind::Machine)
        why = tr("%1, its own assignment").arg(assignment->image);
    else if (assignment->kind == TargetKind::Group)
        why = tr("%1, from group %2").arg(assignment->image, assignment->target);
    else
        why = tr("%1, the default image").arg(assignment->image);
    QStringList lines { tr("<b>%1</b> — %2").arg(machine->name.toHtmlEscaped(), machine->mac) };
    if (!machine->vendor.isEmpty())
        lines.append(tr("Vendor: %1").arg(machine->vendor.toHtmlEscaped()));
    lines.append(tr("Next boot: %1").arg(why.toHtmlEscaped()));
    // What its last boots said of its firmware: self-reported, so shown, never used to decide.
    if (QStringList firmware { describeFirmware(machine->firmware), describeSecureBoot(machine->firmware) };
        !firmware.join(QString()).isEmpty()) {
        firmware.removeAll(QString());
        lines.append(tr("Firmware: %1").arg(firmware.join(QStringLiteral(", ")).toHtmlEscaped()));
    }
    if (const QString path = describeBootPath(machine->firmware); !path.isEmpty())
        lines.append(tr("Boots by: %1").arg(path.toHtmlEscaped()));
    if (!machine->lastGoodImage.isEmpty())
        lines.append(tr("Last known good: %1").arg(machine->lastGoodImage.toHtmlEscaped()));
    if (machine->failedAttempts > 0)
        lines.append(tr("Failed boots in a row: %1").arg(machine->failedAttempts));
    if (machine->burninFailed.isValid())
        lines.append(tr("<b>Burn-in failed</b>: no rollout reaches it until the failure is cleared (Tests tab)"));
    m_summary->setText(lines.join(QStringLiteral("<br>")));

    // The last boot: the newest boot id among the machine's events, oldest phase first.
    const QList<BootEvent> events = m_catalog->events(EventFilter { machine->name, {}, 0, 200 });
    QString lastBoot;
    for (auto it = events.crbegin(); it != events.crend() && lastBoot.isEmpty(); ++it)
        lastBoot = it->bootId;
    QDateTime start;
    QDateTime previous;
    for (const BootEvent &e : events) {
        if (e.bootId != lastBoot)
            continue;
        if (!start.isValid())
            start = previous = e.time;
        auto *item = new QTreeWidgetItem(m_phases,
            { e.phase, tr("+%1 s").arg(start.msecsTo(e.time) / 1000.0, 0, 'f', 1),
                tr("%1 s").arg(previous.msecsTo(e.time) / 1000.0, 0, 'f', 1), e.detail });
        if (e.severity == QLatin1String("error"))
            item->setForeground(0, readableOnBase(QColor(0xd0, 0x31, 0x2d)));
        previous = e.time;
    }
    for (const Assignment &a : m_catalog->history(TargetKind::Machine, machine->name)) {
        new QTreeWidgetItem(
            m_history, { QLocale().toString(a.when.toLocalTime(), QLocale::ShortFormat), a.image, a.who, a.why });
    }
    m_phases->resizeColumnToContents(0);
    m_history->resizeColumnToContents(0);
}

} // namespace drover
