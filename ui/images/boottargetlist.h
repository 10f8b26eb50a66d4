// The boot targets besides images (local disk, memtest, menu, and every ISO in the catalog),
// listed under the images so they can be dragged onto machines or a group's header like an
// image: the drag carries the target's stored form ("@local-disk", "@iso:NAME") under the
// image mime type, and the fleet table's drop assigns it the same way (confirmation, undo).
#pragma once

#include "catalog/boottarget.h"

#include <QListWidget>

namespace drover {

class Catalog;

// Every target a user can pick: the fixed ones, then the catalog's ISOs.
QList<BootTarget> bootTargetsWithIsos(const Catalog &catalog);

class BootTargetList final : public QListWidget {
    Q_OBJECT
public:
    explicit BootTargetList(Catalog *catalog, QWidget *parent = nullptr);

    // The fixed targets, then the catalog's ISOs; runs again whenever the catalog's ISOs change.
    void refresh();

Q_SIGNALS:
    void removeIsoRequested(const QString &name);

protected:
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override;

private:
    void showContextMenu(const QPoint &pos);

    Catalog *m_catalog;
};

} // namespace drover
