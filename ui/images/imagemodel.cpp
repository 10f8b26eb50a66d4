#include "images/imagemodel.h"

#include "catalog/catalog.h"

#include <QIcon>
#include <QLocale>
#include <QMimeData>

#include <utility>

namespace drover {

ImageModel::ImageModel(Catalog *catalog, QObject *parent)
    : QAbstractTableModel(parent)
    , m_catalog(catalog)
{
    connect(catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table == QLatin1String("setting"))
            refreshTests();
        else if (table != QLatin1String("boot_event"))
            reload();
    });
    reload();
}

void ImageModel::reload()
{
    beginResetModel();
    m_images = m_catalog->images();
    m_users = m_catalog->machinesPerImage();
    m_tests = imageTestsByDigest(*m_catalog);
    endResetModel();
}

void ImageModel::refreshTests()
{
    const QHash<QString, ImageTestRecord> before = std::exchange(m_tests, imageTestsByDigest(*m_catalog));
    for (int row = 0; row < m_images.size(); ++row) {
        const QString &digest = m_images.at(row).manifestDigest;
        const auto was = before.constFind(digest);
        const auto now = m_tests.constFind(digest);
        const bool wasThere = was != before.cend();
        if (wasThere == (now != m_tests.cend()) && (!wasThere || was->at == now->at))
            continue;
        Q_EMIT dataChanged(index(row, Tested), index(row, Tested));
    }
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
    const auto found = m_tests.constFind(image.manifestDigest);
    const ImageTestRecord *test = found == m_tests.cend() ? nullptr : &*found;
    if (index.column() == Tested && test) {
        const QString when = QLocale().toString(test->at.toLocalTime(), QLocale::ShortFormat);
        if (role == Qt::ToolTipRole)
            return test->passed ? tr("Passed its test in a VM on %1: ready after %2 s\n%3")
                                      .arg(when)
                                      .arg(test->seconds, 0, 'f', 1)
                                      .arg(test->reason)
                                : tr("Failed its test in a VM on %1:\n%2").arg(when, test->reason);
        if (role == Qt::DecorationRole)
            return QIcon(
                test->passed ? QStringLiteral(":/icons/state-ready.svg") : QStringLiteral(":/icons/state-failed.svg"));
    }
    if (role == Qt::ToolTipRole)
        return index.column() == Tested
            ? tr("Not tested in a VM yet: Test in a VM in the menu, or drover image test %1").arg(image.tag())
            : tr("%1\nmanifest %2").arg(image.tag(), image.manifestDigest);
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
    case Tested:
        return !test ? tr("—") : test->passed ? tr("passed") : tr("failed");
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
    case Tested:
        return tr("Tested");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover
