#include "images/boottargetlist.h"

#include "catalog/boottarget.h"
#include "images/imagemodel.h"

#include <QMimeData>

namespace drover {

BootTargetList::BootTargetList(QWidget *parent)
    : QListWidget(parent)
{
    setObjectName(QStringLiteral("bootTargetList"));
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setToolTip(tr("Drag onto machines or a group to boot this instead of an image; assign an image to bring "
                  "them back"));
    for (const QString &key : BootTarget::keys()) {
        const BootTarget target = *BootTarget::fromKey(key);
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
            item->setToolTip(tr("A menu on the machine's screen: its image, the local disk, memtest; the first "
                                "boots after the menu timeout"));
            break;
        }
    }
    // As tall as its rows: a short fixed list under the images.
    setMaximumHeight(sizeHintForRow(0) * count() + 2 * frameWidth() + 4);
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
