#include "fleet/poweractions.h"

#include "catalog/catalog.h"
#include "fleet/fleetview.h"
#include "lab/lab.h"
#include "log/logbus.h"
#include "power/machinepower.h"
#include "util/currentuser.h"

#include <QMenu>
#include <QMessageBox>

namespace drover {

PowerActions::PowerActions(Lab *lab, FleetView *view, QWidget *dialogParent)
    : QObject(view)
    , m_lab(lab)
    , m_view(view)
    , m_dialogParent(dialogParent)
{
    m_confirm = [this](PowerAction action, const QStringList &machines) { return confirmWithDialog(action, machines); };
}

void PowerActions::populateContextMenu(QMenu *menu)
{
    QMenu *power = menu->addMenu(tr("&Power"));
    power->setToolTipsVisible(true);
    auto add = [this, power](const QString &text, PowerAction action, const QString &tip) {
        QAction *a = power->addAction(text, this, [this, action] { run(action, m_view->selectedMachines()); });
        a->setToolTip(tip);
        a->setProperty("drover.needs", QByteArray("any"));
    };
    add(tr("Power &On"), PowerAction::On,
        tr("Switch the machines on by their power method (Machines → Power settings)"));
    add(tr("&Wake-on-LAN"), PowerAction::Wake, tr("Send each machine's network card a Wake-on-LAN packet"));
    add(tr("Power C&ycle"), PowerAction::Cycle, tr("Reset the machines: they boot again and get their assigned image"));
    add(tr("Power O&ff"), PowerAction::Off, tr("Switch the machines off at once, as pulling the plug would"));
    power->addSeparator();
    add(tr("Power &Status"), PowerAction::Status, tr("Ask each machine's power method whether it is on"));
    connect(
        menu, &QMenu::aboutToShow, power, [this, power] { power->setEnabled(!m_view->selectedMachines().isEmpty()); });
    power->setEnabled(!m_view->selectedMachines().isEmpty());
}

bool PowerActions::confirmWithDialog(PowerAction action, const QStringList &machines)
{
    const QString list = machines.size() <= 8
        ? machines.join(QStringLiteral(", "))
        : tr("%1 and %n more", nullptr, int(machines.size() - 5)).arg(machines.mid(0, 5).join(QStringLiteral(", ")));
    const QString question = action == PowerAction::Off
        ? tr("Switch off %1? Anything not saved on them is lost.").arg(list)
        : tr("Power-cycle %1? They restart at once and boot their assigned image.").arg(list);
    return QMessageBox::question(
               m_dialogParent, tr("Power"), question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes;
}

bool PowerActions::run(PowerAction action, const QStringList &machines)
{
    if (machines.isEmpty())
        return false;
    if ((action == PowerAction::Off || action == PowerAction::Cycle) && m_confirm && !m_confirm(action, machines))
        return false;
    const QString who = currentUser();
    for (const QString &name : machines) {
        const auto machine = m_lab->catalog()->machineByName(name);
        if (!machine) {
            Q_EMIT finished(name, action, false, tr("%1 is no longer in the catalog").arg(name));
            continue;
        }
        // The catalog stays on this thread; only the call to the machine goes to a worker.
        QString error;
        const bool started = powerMachineAsync(
            m_lab->catalog(), *machine, action, who, this,
            [this, name, action](const Result<PowerOutcome> &r) {
                --m_running;
                const QString text = !r             ? r.error()
                    : action == PowerAction::Status ? tr("%1: %2 (%3)").arg(name, r->state, r->detail)
                                                    : r->detail;
                m_lab->log()->post(r ? Severity::Info : Severity::Warning, QStringLiteral("power"), text, name);
                Q_EMIT message(text);
                Q_EMIT finished(name, action, r.ok(), text);
            },
            &error);
        if (!started) {
            Q_EMIT message(error);
            Q_EMIT finished(name, action, false, error);
            continue;
        }
        ++m_running;
    }
    return true;
}

} // namespace drover
