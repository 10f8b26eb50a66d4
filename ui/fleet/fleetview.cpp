#include "fleet/fleetview.h"

#include "fleet/fleetfilter.h"
#include "fleet/fleetgrouping.h"
#include "fleet/fleetmodel.h"
#include "fleet/statusdelegate.h"
#include "main/columnlayout.h"
#include "main/emptystate.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace drover {

namespace {

const QString groupBySetting = QStringLiteral("fleet/groupBy");
const QString hiddenColumnsSetting = QStringLiteral("fleet/hiddenColumns");

} // namespace

FleetView::FleetView(FleetModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new FleetFilter(this))
    , m_groups(new LabelGroupModel(this))
    , m_search(new QLineEdit(this))
    , m_groupBy(new QComboBox(this))
    , m_show(new QComboBox(this))
    , m_table(new QTreeView(this))
{
    m_proxy->setSourceModel(model);
    m_groups->setSourceModel(m_proxy);
    connect(m_proxy, &FleetFilter::rowsFilterAboutToChange, m_groups, &LabelGroupModel::beginBulkChange);
    connect(m_proxy, &FleetFilter::rowsFilterChanged, m_groups, &LabelGroupModel::endBulkChange);
    m_search->setPlaceholderText(tr("Search machines by name, MAC, address, image or label (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search machines"));
    connect(m_search, &QLineEdit::textChanged, m_proxy, &FleetFilter::setSearch);

    m_show->setObjectName(QStringLiteral("fleetShow"));
    m_show->setToolTip(tr("Show every machine, or only those that need a look"));
    m_show->addItem(tr("All machines"), int(FleetFilter::Show::All));
    m_show->addItem(tr("New"), int(FleetFilter::Show::New));
    m_show->addItem(tr("Hardware changed"), int(FleetFilter::Show::HardwareChanged));
    m_show->addItem(tr("Burn-in failed"), int(FleetFilter::Show::BurninFailed));
    m_show->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_show, &QComboBox::currentIndexChanged, this,
        [this](int index) { m_proxy->setShow(FleetFilter::Show(m_show->itemData(index).toInt())); });

    m_groupBy->setObjectName(QStringLiteral("fleetGroupBy"));
    m_groupBy->setToolTip(tr("Show the machines in sections, one per value of a label"));
    m_groupBy->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_groupBy, &QComboBox::currentIndexChanged, this,
        [this](int index) { setGroupKey(m_groupBy->itemData(index).toString()); });

    m_table->setModel(m_groups);
    // Flat, a tree looks like a table; uniform row heights keep 10,000 rows fast.
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setAllColumnsShowFocus(true);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FleetModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setDragDropMode(QAbstractItemView::DropOnly);
    m_table->setDropIndicatorShown(true);
    m_table->viewport()->setAcceptDrops(true); // drops land on the viewport, not the view
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->header()->setStretchLastSection(true);
    m_table->setWordWrap(false); // a cell is one line, elided: rows stay the same height
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setObjectName(QStringLiteral("fleetTable"));
    m_table->setAccessibleName(tr("Fleet table"));
    m_show->setAccessibleName(tr("Show"));
    m_groupBy->setAccessibleName(tr("Group by"));
    m_table->setItemDelegateForColumn(FleetModel::Status, new StatusDelegate(m_table));
    // Sized from the font, not the contents: measuring 10,000 rows on every refresh is slow.
    const QFontMetrics metrics = m_table->fontMetrics();
    // Room for the text and the cell's margins (a style's focus frame and padding).
    const int pad = 2 * m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 12;
    const auto fit = [&metrics, pad](const QString &sample) { return metrics.horizontalAdvance(sample) + pad; };
    m_table->setColumnWidth(FleetModel::Name, fit(QStringLiteral("new-525400123456")));
    m_table->setColumnWidth(FleetModel::Mac, fit(QStringLiteral("52:54:00:00:00:00")));
    m_table->setColumnWidth(FleetModel::Address, fit(QStringLiteral("192.168.100.200")));
    // The state's icon, and the Secure Boot shield beside it, come before its text.
    m_table->setColumnWidth(FleetModel::Status, fit(QStringLiteral("booting: configured")) + 2 * metrics.height());
    for (int column : { FleetModel::CurrentImage, FleetModel::AssignedImage })
        m_table->setColumnWidth(column, fit(QStringLiteral("debian-server:12")));
    const QString longestTime
        = QLocale().toString(QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59)), QLocale::ShortFormat);
    m_table->setColumnWidth(FleetModel::LastSeen, fit(longestTime));
    // The column chooser is the header's context menu; widths, order and choice are remembered.
    // The address (DHCP's, it changes), the labels and the hardware columns start hidden: at
    // 1280 pixels the rest fits beside the images.
    m_columns = new ColumnLayout(m_table->header(), QStringLiteral("fleet/columns"), FleetModel::Name, this);
    QList<int> hidden { FleetModel::Address, FleetModel::Labels, FleetModel::Model, FleetModel::Serial, FleetModel::Cpu,
        FleetModel::Memory };
    if (const QVariant old = QSettings().value(hiddenColumnsSetting); old.isValid()) {
        hidden.clear(); // the choice of a Drover before the layout was remembered whole
        for (const QVariant &column : old.toList())
            hidden.append(column.toInt());
    }
    for (int column : { FleetModel::CurrentImage, FleetModel::AssignedImage })
        m_fitted[column] = m_table->columnWidth(column);
    m_columns->restore(hidden);
    fitImageColumns();

    // Sections come back after every reset (the catalog changed) and after sorting and
    // searching (a section may reappear): spanned, and expanded unless the user collapsed it.
    connect(m_groups, &QAbstractItemModel::modelReset, this, &FleetView::applySections);
    connect(m_groups, &QAbstractItemModel::layoutChanged, this, &FleetView::applySections);
    connect(m_table, &QTreeView::expanded, this, [this](const QModelIndex &index) { rememberExpanded(index, true); });
    connect(m_table, &QTreeView::collapsed, this, [this](const QModelIndex &index) { rememberExpanded(index, false); });
    connect(model, &QAbstractItemModel::modelReset, this, &FleetView::refreshGroupChoices);
    connect(model, &QAbstractItemModel::modelReset, this, &FleetView::fitImageColumns);

    auto *strip = new QHBoxLayout;
    strip->addWidget(m_search, 1);
    auto *showLabel = new QLabel(tr("Sho&w:"), this);
    showLabel->setBuddy(m_show);
    strip->addWidget(showLabel);
    strip->addWidget(m_show);
    auto *label = new QLabel(tr("&Group by:"), this);
    label->setBuddy(m_groupBy);
    strip->addWidget(label);
    strip->addWidget(m_groupBy);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(strip);
    m_empty = new EmptyState(m_table, model,
        tr("No machines yet.\n\nMachines appear here when they network-boot from "
           "Drover's boot server, or add one with Machines → Add Machine… (Ctrl+N)."),
        this);
    layout->addWidget(m_empty);

    setGroupKey(QSettings().value(groupBySetting).toString()); // fills the combo too
}

void FleetView::setColumnShown(int column, bool shown)
{
    m_columns->setColumnShown(column, shown);
}

QStringList FleetView::labelKeys() const
{
    QSet<QString> keys;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const Machine &m = m_model->machineAt(row);
        for (auto it = m.labels.cbegin(); it != m.labels.cend(); ++it)
            keys.insert(it.key());
    }
    QStringList sorted(keys.cbegin(), keys.cend());
    std::sort(sorted.begin(), sorted.end(),
        [](const QString &a, const QString &b) { return QString::localeAwareCompare(a, b) < 0; });
    if (sorted.removeOne(QStringLiteral("group")))
        sorted.prepend(QStringLiteral("group"));
    return sorted;
}

void FleetView::refreshGroupChoices()
{
    QStringList keys = labelKeys();
    // A chosen key no machine has any more stays listed, so the choice never changes by itself.
    const QString current = groupKey();
    if (!current.isEmpty() && !keys.contains(current))
        keys.append(current);
    QStringList listed;
    for (int i = 1; i < m_groupBy->count(); ++i)
        listed.append(m_groupBy->itemData(i).toString());
    const QSignalBlocker blocker(m_groupBy);
    if (listed != keys || m_groupBy->count() == 0) {
        m_groupBy->clear();
        m_groupBy->addItem(tr("(none)"), QString());
        for (const QString &key : std::as_const(keys))
            m_groupBy->addItem(key, key);
    }
    m_groupBy->setCurrentIndex(std::max(0, m_groupBy->findData(current)));
}

QString FleetView::groupKey() const
{
    return m_groups->groupKey();
}

void FleetView::setGroupKey(const QString &key)
{
    if (key != m_groups->groupKey()) {
        m_groups->setGroupKey(key);
        m_table->setRootIsDecorated(!key.isEmpty());
        QSettings().setValue(groupBySetting, key);
    }
    refreshGroupChoices();
}

void FleetView::fitImageColumns()
{
    // Runs on every catalog change: nothing to measure once the user has sized both columns.
    bool anyFitted = false;
    for (auto it = m_fitted.cbegin(); it != m_fitted.cend(); ++it)
        anyFitted = anyFitted || m_table->columnWidth(it.key()) == it.value();
    if (!anyFitted)
        return;
    // A lab has a few image tags and many machines: measure each tag once, not each cell.
    QSet<QString> tags;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        for (int column : { FleetModel::CurrentImage, FleetModel::AssignedImage })
            tags.insert(m_model->index(row, column).data(FleetModel::ImageTagRole).toString());
    }
    const QFontMetrics metrics = m_table->fontMetrics();
    int widest = 0;
    for (const QString &tag : std::as_const(tags))
        widest = qMax(widest,
            metrics.horizontalAdvance(tag) + 2 * m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 12);
    for (auto it = m_fitted.begin(); it != m_fitted.end(); ++it) {
        // A width the user chose stays; so does one wide enough already.
        if (m_table->columnWidth(it.key()) != it.value() || widest <= it.value())
            continue;
        it.value() = qMin(widest, metrics.horizontalAdvance(QLatin1Char('x')) * 32);
        m_table->setColumnWidth(it.key(), it.value());
    }
}

void FleetView::applySections()
{
    const QString key = m_groups->groupKey();
    if (key.isEmpty())
        return;
    const QSet<QString> collapsed = m_collapsed.value(key);
    for (int row = 0; row < m_groups->rowCount(); ++row) {
        const QModelIndex section = m_groups->index(row, 0);
        // Asked first: setting it lays out every row of the tree at once, and a search
        // announces its changes in runs, a layout change each (1,000 for `room-3`).
        if (!m_table->isFirstColumnSpanned(row, {}))
            m_table->setFirstColumnSpanned(row, {}, true);
        const bool wanted = !collapsed.contains(m_groups->sectionId(section));
        if (m_table->isExpanded(section) != wanted)
            m_table->setExpanded(section, wanted);
    }
}

void FleetView::rememberExpanded(const QModelIndex &index, bool expanded)
{
    if (!m_groups->isSection(index))
        return;
    QSet<QString> &collapsed = m_collapsed[m_groups->groupKey()];
    if (expanded)
        collapsed.remove(m_groups->sectionId(index));
    else
        collapsed.insert(m_groups->sectionId(index));
}

QStringList FleetView::selectedMachines() const
{
    QStringList names;
    QSet<QString> seen;
    auto add = [&names, &seen](const QString &name) {
        if (!name.isEmpty() && !seen.contains(name)) {
            seen.insert(name);
            names.append(name);
        }
    };
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        if (m_groups->isSection(index)) {
            for (const QString &name : m_groups->machinesIn(index))
                add(name);
        } else {
            add(index.data(FleetModel::MachineNameRole).toString());
        }
    }
    return names;
}

void FleetView::setEmptyPlaceholder(QWidget *placeholder)
{
    m_empty->setPlaceholder(placeholder);
}

void FleetView::setBanner(QWidget *banner)
{
    static_cast<QVBoxLayout *>(layout())->insertWidget(0, banner);
}

} // namespace drover
