#include "fleet/fleetview.h"

#include "fleet/fleetmodel.h"
#include "main/emptystate.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace drover {

FleetView::FleetView(FleetModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
{
    m_proxy->setSourceModel(model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1); // search every column
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_search->setPlaceholderText(tr("Search machines by name, MAC, address, image or label (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FleetModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setDragDropMode(QAbstractItemView::DropOnly);
    m_table->setDropIndicatorShown(true);
    m_table->viewport()->setAcceptDrops(true); // drops land on the viewport, not the view
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setObjectName(QStringLiteral("fleetTable"));
    // Sized from the font, not the contents: measuring 10,000 rows on every refresh is slow.
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->setColumnWidth(FleetModel::Name, metrics.horizontalAdvance(QStringLiteral("new-525400123456")) + 24);
    m_table->setColumnWidth(FleetModel::Mac, metrics.horizontalAdvance(QStringLiteral("52:54:00:00:00:00")) + 24);
    m_table->setColumnWidth(FleetModel::Address, metrics.horizontalAdvance(QStringLiteral("192.168.100.200")) + 24);
    m_table->setColumnWidth(FleetModel::Status, metrics.horizontalAdvance(QStringLiteral("booting: configured")) + 40);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(new EmptyState(m_table, model,
        tr("No machines yet.\n\nMachines appear here when they network-boot from "
           "Drover's boot server, or add one with Machines → Add Machine… (Ctrl+N)."),
        this));
}

QStringList FleetView::selectedMachines() const
{
    QStringList names;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        names.append(index.data(FleetModel::MachineNameRole).toString());
    return names;
}

void FleetView::setBanner(QWidget *banner)
{
    static_cast<QVBoxLayout *>(layout())->insertWidget(0, banner);
}

} // namespace drover
