#include "fleet/hardwaretab.h"

#include "catalog/catalog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover {

HardwareTab::HardwareTab(Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
    , m_status(new QLabel(this))
    , m_acknowledge(new QPushButton(tr("&Acknowledge Change"), this))
    , m_tree(new QTreeWidget(this))
{
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_acknowledge->setToolTip(tr("The machine's hardware changed between two boots. Acknowledge it once the change "
                                 "is known and wanted: the mark in the fleet table goes away."));
    m_tree->setHeaderLabels({ tr("Part"), tr("Details") });
    m_tree->setAccessibleName(tr("Hardware of the selected machine"));
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    auto *top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_acknowledge, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_tree, 1);
    connect(m_acknowledge, &QPushButton::clicked, this, &HardwareTab::acknowledge);
    connect(catalog, &Catalog::changed, this, [this](const QString &table) {
        if (!m_machine.isEmpty()
            && (table == QLatin1String("inventory") || table == QLatin1String("machine")
                || table == QLatin1String("*")))
            refresh();
    });
    setMachine({});
}

void HardwareTab::setMachine(const QString &name)
{
    m_machine = name;
    refresh();
}

void HardwareTab::refresh()
{
    m_tree->clear();
    m_acknowledge->hide();
    const auto machine = m_machine.isEmpty() ? std::nullopt : m_catalog->machineByName(m_machine);
    if (!machine) {
        m_status->setText(tr("Select a machine to see its hardware."));
        return;
    }
    const QList<InventoryRecord> history = m_catalog->inventoryHistory(m_machine);
    if (history.isEmpty()) {
        m_status->setText(tr("%1 has not reported its hardware yet. Every boot into a Drover image reports it, before "
                             "the image's scripts and checks run.")
                .arg(m_machine));
        return;
    }
    const InventoryRecord &newest = history.first();
    const QLocale locale;
    QString status = tr("Reported by the boot at %1; this hardware first seen %2.")
                         .arg(locale.toString(newest.lastSeen.toLocalTime(), QLocale::ShortFormat),
                             locale.toString(newest.firstSeen.toLocalTime(), QLocale::ShortFormat));
    if (machine->hardwareChanged.isValid()) {
        status = tr("<b>The hardware changed</b> (%1): %2")
                     .arg(locale.toString(machine->hardwareChanged.toLocalTime(), QLocale::ShortFormat),
                         newest.changes.join(QStringLiteral("; ")).toHtmlEscaped())
            + QStringLiteral("<br>") + status.toHtmlEscaped();
        m_acknowledge->show();
    }
    m_status->setText(status);

    auto *current = new QTreeWidgetItem(m_tree, { tr("Hardware"), newest.hardware.summary() });
    for (const auto &[label, value] : describeInventory(newest.hardware))
        new QTreeWidgetItem(current, { label, value });
    current->setExpanded(true);
    if (history.size() > 1) {
        auto *changes = new QTreeWidgetItem(
            m_tree, { tr("Changes"), tr("%n change(s) of hardware", nullptr, int(history.size() - 1)) });
        for (const InventoryRecord &r : history) {
            if (r.changes.isEmpty())
                continue;
            auto *when = new QTreeWidgetItem(changes,
                { locale.toString(r.firstSeen.toLocalTime(), QLocale::ShortFormat),
                    r.changes.join(QStringLiteral("; ")) });
            when->setToolTip(1, r.changes.join(QLatin1Char('\n')));
        }
        changes->setExpanded(true);
    }
}

void HardwareTab::acknowledge()
{
    if (Status s = m_catalog->acknowledgeHardwareChange(m_machine); !s) {
        QMessageBox::warning(this, tr("Acknowledge Change"), s.error());
        return;
    }
    refresh();
}

} // namespace drover
