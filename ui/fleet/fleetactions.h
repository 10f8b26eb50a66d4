// FleetActions: what the admin does to selected machines — assign an image (by drag and
// drop or from the menu, after confirming what changes at the next boot), undo it while no
// machine has booted it, roll back, show history, name from a pattern, save a hand-over
// sheet, remove. Every change goes through
// core's Lifecycle and onto the window's undo stack.
#pragma once

#include "catalog/boottarget.h"
#include "fleet/lifecycle.h"

#include <QObject>

#include <functional>

class QMenu;
class QUndoStack;
class QWidget;

namespace drover {

class FleetView;
class Lab;

class FleetActions final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetActions)
public:
    // Asked before an assignment is made; true to go ahead. Tests replace the dialog.
    using Confirm = std::function<bool(const QString &image, const QList<PlannedChange> &changes)>;

    FleetActions(Lab *lab, FleetView *view, QUndoStack *undoStack, QWidget *dialogParent);

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    // Assigns `image` to the machines (each its own target) after confirmation.
    bool assignToMachines(const QStringList &machines, const QString &image);
    bool assignToGroup(const QString &group, const QString &image);
    void rollbackMachines(const QStringList &machines);
    // The hand-over sheet of `machines` to `path` (.pdf or .html); Save Hand-over Sheet… asks
    // for the path first.
    Status writeHandover(const QStringList &machines, const QString &path) const;
    // Adds assign, roll back and history; they enable themselves from the selection.
    void populateContextMenu(QMenu *menu);
    void updateEnabled(QMenu *menu) const;

Q_SIGNALS:
    void message(const QString &text);
    // Something the user did, done (or refused: failed), in words for the log.
    void performed(const QString &what, bool failed = false);

private:
    bool assign(const QList<AssignTarget> &targets, const QString &image);
    void onImageDropped(const QString &image, const QString &machine);
    void onImageDroppedOnSection(
        const QString &image, const QString &key, const QString &value, const QStringList &machines);
    void chooseImageAndAssign();
    void showHistory();
    void nameMachines();
    void saveHandover();
    bool confirmWithDialog(const QString &image, const QList<PlannedChange> &changes);

    Lab *m_lab;
    FleetView *m_view;
    QUndoStack *m_undo;
    QWidget *m_dialogParent;
    Lifecycle m_lifecycle;
    Confirm m_confirm;
};

} // namespace drover
