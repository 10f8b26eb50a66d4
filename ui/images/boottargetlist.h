// The boot targets besides images (local disk, memtest, menu), listed under the images so
// they can be dragged onto machines or a group's header like an image: the drag carries the
// target's stored form ("@local-disk") under the image mime type, and the fleet table's drop
// assigns it the same way (confirmation, undo).
#pragma once

#include <QListWidget>

namespace drover {

class BootTargetList final : public QListWidget {
    Q_OBJECT
public:
    explicit BootTargetList(QWidget *parent = nullptr);

protected:
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override;
};

} // namespace drover
