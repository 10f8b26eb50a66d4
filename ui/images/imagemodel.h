// ImageModel: the images in the catalog with their size, age, how many machines use each,
// and the latest test in a VM of each (passed or failed, the reason in the tooltip).
#pragma once

#include "catalog/records.h"
#include "vm/imagetest.h"

#include <QAbstractTableModel>
#include <QMap>

namespace drover {

class Catalog;

class ImageModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageModel)
public:
    enum Column { Name, Version, Size, Created, Machines, Tested, ColumnCount };
    enum Role { TagRole = Qt::UserRole + 1 };

    explicit ImageModel(Catalog *catalog, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const ImageRecord &imageAt(int row) const { return m_images.at(row); }

    // Drag source: an image dragged onto fleet rows carries its tag under this type.
    static QString mimeType() { return QStringLiteral("application/x-drover-image-tag"); }
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;

public Q_SLOTS:
    void reload();

private:
    // Verdicts live in settings, which change often (rollouts): only that column refreshes.
    void refreshTests();

    Catalog *m_catalog;
    QHash<QString, ImageTestRecord> m_tests; // by manifest digest
    QList<ImageRecord> m_images;
    QMap<QString, int> m_users;
};

} // namespace drover
