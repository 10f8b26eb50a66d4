#include "images/imagemodel.h"

#include "catalog/catalog.h"

#include <QLocale>
#include <QMimeData>

namespace drover {

ImageModel::ImageModel(Catalog *catalog, QObject *parent)
    : QAbstractTableModel(parent)
    , m_catalog(catalog)
{
    connect(catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table != QLatin1String("boot_event") && table != QLatin1String("setting"))
            reload();
    });
    reload();
}

void ImageModel::reload()
{
    beginResetModel();
    m_images = m_catalog->images();
    m_users = m_catalog->machinesPerImage();
    endResetModel();
}

int ImageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_images.size());
}

int ImageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const ImageRecord &image = m_images.at(index.row());
    if (role == TagRole)
        return image.tag();
    if (role == Qt::ToolTipRole)
        return tr("%1\nmanifest %2").arg(image.tag(), image.manifestDigest);
    if (role == Qt::TextAlignmentRole && (index.column() == Size || index.column() == Machines))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Name:
        return image.name;
    case Version:
        return image.version;
    case Size:
        return QLocale().formattedDataSize(image.size);
    case Created:
        return QLocale().toString(image.created.toLocalTime(), QLocale::ShortFormat);
    case Machines:
        return m_users.value(image.tag());
    case ColumnCount:
        break;
    }
    return {};
}

Qt::ItemFlags ImageModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid())
        f |= Qt::ItemIsDragEnabled;
    return f;
}

QStringList ImageModel::mimeTypes() const
{
    return { mimeType() };
}

QMimeData *ImageModel::mimeData(const QModelIndexList &indexes) const
{
    if (indexes.isEmpty())
        return nullptr;
    auto *data = new QMimeData;
    const QString tag = m_images.at(indexes.first().row()).tag();
    data->setData(mimeType(), tag.toUtf8());
    data->setText(tag);
    return data;
}

QVariant ImageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Image");
    case Version:
        return tr("Version");
    case Size:
        return tr("Size");
    case Created:
        return tr("Created");
    case Machines:
        return tr("Machines");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover
