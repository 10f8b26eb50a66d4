// PowerActions: the fleet table's Power menu — on, off, cycle, Wake-on-LAN and status for the
// selected machines, by each machine's power method (core/power). Every call runs on a worker
// thread, one machine after another in parallel, so a BMC that does not answer never
// freezes the window; the outcome of each goes to the status bar and the log.
#pragma once

#include "power/powerspec.h"

#include <QObject>

#include <functional>

class QMenu;
class QWidget;

namespace drover {

class FleetView;
class Lab;
struct PowerOutcome;

class PowerActions final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PowerActions)
public:
    // Asked before switching machines off or cycling them; true to go ahead. Tests replace it.
    using Confirm = std::function<bool(PowerAction action, const QStringList &machines)>;

    PowerActions(Lab *lab, FleetView *view, QWidget *dialogParent);

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    // Adds the Power submenu; its actions need a selection.
    void populateContextMenu(QMenu *menu);
    // Runs `action` on each machine (after confirmation for off and cycle); false if declined.
    bool run(PowerAction action, const QStringList &machines);
    int running() const { return m_running; }

Q_SIGNALS:
    void message(const QString &text);
    // One per machine, when its call is over; ok false with the reason in text.
    void finished(const QString &machine, drover::PowerAction action, bool ok, const QString &text);

private:
    bool confirmWithDialog(PowerAction action, const QStringList &machines);

    Lab *m_lab;
    FleetView *m_view;
    QWidget *m_dialogParent;
    Confirm m_confirm;
    int m_running = 0;
};

} // namespace drover
