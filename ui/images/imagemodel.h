// ImageModel: the images in the catalog with their size, age and how many machines use each.
#pragma once

#include "catalog/records.h"

#include <QAbstractTableModel>
#include <QMap>

namespace drover {

class Catalog;

class ImageModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageModel)
public:
    enum Column { Name, Version, Size, Created, Machines, ColumnCount };
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
    Catalog *m_catalog;
    QList<ImageRecord> m_images;
    QMap<QString, int> m_users;
};

} // namespace drover
