#include "images/boottargetlist.h"

#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "images/imagemodel.h"

#include <QLocale>
#include <QMenu>
#include <QMimeData>

namespace drover {

namespace {

constexpr int kMaxVisibleRows = 7; // then it scrolls, and the images keep the room

} // namespace

QList<BootTarget> bootTargetsWithIsos(const Catalog &catalog)
{
    QList<BootTarget> targets;
    for (const QString &key : BootTarget::keys())
        targets.append(*BootTarget::fromKey(key));
    for (const IsoRecord &iso : catalog.isos())
        targets.append(BootTarget::forIso(iso.name));
    return targets;
}

BootTargetList::BootTargetList(Catalog *catalog, QWidget *parent)
    : QListWidget(parent)
    , m_catalog(catalog)
{
    setAccessibleName(tr("Boot targets"));
    setObjectName(QStringLiteral("bootTargetList"));
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setToolTip(tr("Drag onto machines or a group to boot this instead of an image; assign an image to bring "
                  "them back"));
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, &BootTargetList::showContextMenu);
    connect(m_catalog, &Catalog::changed, this, [this](const QString &table) {
        if (table == QLatin1String("iso") || table == QLatin1String("*"))
            refresh();
    });
    refresh();
}

void BootTargetList::refresh()
{
    const QString current = currentItem() ? currentItem()->data(Qt::UserRole).toString() : QString();
    clear();
    const QList<IsoRecord> isos = m_catalog->isos();
    for (const BootTarget &target : bootTargetsWithIsos(*m_catalog)) {
        auto *item = new QListWidgetItem(target.displayName(), this);
        item->setData(Qt::UserRole, target.stored());
        switch (target.kind) {
        case BootTargetKind::LocalDisk:
            item->setToolTip(tr("Leave the network boot: the machine starts what is on its own disk"));
            break;
        case BootTargetKind::Memtest:
            item->setToolTip(tr("memtest86+ from the server (Debian's memtest86+ package); not with Secure Boot on"));
            break;
        case BootTargetKind::Menu:
            item->setToolTip(tr("A menu on the machine's screen: its image, the local disk, memtest, the ISOs; the "
                                "first boots after the menu timeout"));
            break;
        case BootTargetKind::Iso: {
            const auto iso = std::find_if(
                isos.cbegin(), isos.cend(), [&target](const IsoRecord &r) { return r.name == target.iso; });
            if (iso == isos.cend())
                break; // removed between the two reads
            item->setToolTip(tr("%1 (%2), read from this server as a CD-ROM; right-click to remove it")
                    .arg(iso->notes.isEmpty() ? iso->name : iso->notes, QLocale().formattedDataSize(iso->size)));
            break;
        }
        }
        if (target.stored() == current)
            setCurrentItem(item);
    }
    // As tall as its rows up to a few: a short list under the images.
    const int rows = qBound(1, count(), kMaxVisibleRows);
    setMaximumHeight(sizeHintForRow(0) * rows + 2 * frameWidth() + 4);
}

void BootTargetList::showContextMenu(const QPoint &pos)
{
    const QListWidgetItem *item = itemAt(pos);
    const auto target = item ? BootTarget::fromStored(item->data(Qt::UserRole).toString()) : std::nullopt;
    if (!target || target->kind != BootTargetKind::Iso)
        return;
    QMenu menu(this);
    const QString name = target->iso;
    menu.addAction(tr("&Remove ISO %1…").arg(name), this, [this, name] { Q_EMIT removeIsoRequested(name); });
    menu.exec(viewport()->mapToGlobal(pos));
}

QStringList BootTargetList::mimeTypes() const
{
    return { ImageModel::mimeType() };
}

QMimeData *BootTargetList::mimeData(const QList<QListWidgetItem *> &items) const
{
    if (items.isEmpty())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setData(ImageModel::mimeType(), items.first()->data(Qt::UserRole).toString().toUtf8());
    return mime;
}

} // namespace drover
