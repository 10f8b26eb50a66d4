// PackageModel: the package lists as a checkable table (name, installed size, description)
// and PackageFilter, which shows the packages whose name or description contains the search
// text — or, with no search text, the chosen ones.
#pragma once

#include "builder/packageindex.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <memory>

namespace drover {

class PackageModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PackageModel)
public:
    enum Column { Name, Size, Description, ColumnCount };

    explicit PackageModel(QObject *parent = nullptr);

    void setIndex(std::shared_ptr<const PackageIndex> index);
    const PackageIndex *packageIndex() const { return m_index.get(); }
    void setChosen(const QStringList &names);
    bool isChosen(const QString &name) const { return m_chosen.contains(name); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // The user ticked (true) or unticked a package.
    void toggled(const QString &name, bool chosen);

private:
    std::shared_ptr<const PackageIndex> m_index;
    QSet<QString> m_chosen;
};

class PackageFilter final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PackageFilter)
public:
    explicit PackageFilter(PackageModel *model, QObject *parent = nullptr);
    void setSearch(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    PackageModel *m_model;
    QStringList m_words;
};

} // namespace drover
