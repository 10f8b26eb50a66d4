// PackageModel and PackageFilter: the wizard's package search.
#include "builder/packagemodel.h"

#include <QLocale>

namespace drover {

PackageModel::PackageModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void PackageModel::setIndex(std::shared_ptr<const PackageIndex> index)
{
    beginResetModel();
    m_index = std::move(index);
    endResetModel();
}

void PackageModel::setChosen(const QStringList &names)
{
    QSet<QString> chosen(names.cbegin(), names.cend());
    if (chosen == m_chosen)
        return;
    m_chosen = std::move(chosen);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Name), index(rowCount() - 1, Name), { Qt::CheckStateRole });
}

int PackageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_index ? 0 : int(m_index->packages().size());
}

int PackageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PackageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_index)
        return {};
    const PackageInfo &p = m_index->packages().at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Name:
            return p.name;
        case Size:
            return QLocale().formattedDataSize(p.installedKiB * 1024);
        case Description:
            return p.description;
        default:
            return {};
        }
    }
    if (role == Qt::CheckStateRole && index.column() == Name)
        return m_chosen.contains(p.name) ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::TextAlignmentRole && index.column() == Size)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

bool PackageModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || !m_index || role != Qt::CheckStateRole || index.column() != Name)
        return false;
    const QString name = m_index->packages().at(index.row()).name;
    const bool chosen = value.toInt() == Qt::Checked;
    if (chosen == m_chosen.contains(name))
        return true;
    if (chosen)
        m_chosen.insert(name);
    else
        m_chosen.remove(name);
    Q_EMIT dataChanged(index, index, { Qt::CheckStateRole });
    Q_EMIT toggled(name, chosen);
    return true;
}

Qt::ItemFlags PackageModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == Name)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant PackageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Package");
    case Size:
        return tr("Installed");
    case Description:
        return tr("Description");
    default:
        return {};
    }
}

PackageFilter::PackageFilter(PackageModel *model, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_model(model)
{
    setSourceModel(model);
}

void PackageFilter::setSearch(const QString &text)
{
    m_words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateRowsFilter();
}

bool PackageFilter::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const PackageIndex *lists = m_model->packageIndex();
    if (!lists)
        return false;
    const PackageInfo &p = lists->packages().at(sourceRow);
    if (m_words.isEmpty())
        return m_model->isChosen(p.name);
    // Every word in the name or the description: "ssh server" finds openssh-server.
    for (const QString &word : m_words) {
        if (!p.name.contains(word, Qt::CaseInsensitive) && !p.description.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace drover
