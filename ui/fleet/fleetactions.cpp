#include "fleet/fleetactions.h"

#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "fleet/fleetgrouping.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "fleet/handoversheet.h"
#include "fleet/namingdialog.h"
#include "images/boottargetlist.h"
#include "inventory/handover.h"
#include "lab/lab.h"
#include "util/currentuser.h"

#include <QFileDialog>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QUndoCommand>
#include <QUndoStack>

namespace drover {

namespace {

// One assignment of one image to several targets, undoable until a machine boots it.
class AssignCommand final : public QUndoCommand {
public:
    AssignCommand(Lifecycle *lifecycle, FleetActions *actions, QList<AssignTarget> targets, QString image)
        : m_lifecycle(lifecycle)
        , m_actions(actions)
        , m_targets(std::move(targets))
        , m_image(std::move(image))
    {
        setText(FleetActions::tr("assign %1 to %n machine(s)", nullptr, int(m_targets.size()))
                .arg(describeAssigned(m_image)));
    }

    bool failed() const { return m_failed; }
    QString error() const { return m_error; }

    void redo() override
    {
        auto done
            = m_lifecycle->assign(m_targets, m_image, currentUser(), FleetActions::tr("assigned in the fleet table"));
        if (!done) {
            m_failed = true;
            m_error = done.error();
            setObsolete(true);
            return;
        }
        m_assignments = done.value();
    }

    void undo() override
    {
        if (Status s = m_lifecycle->undo(m_assignments); !s) {
            // Too late to undo: the history keeps it; the user is told how to go back.
            Q_EMIT m_actions->message(s.error());
            setObsolete(true);
        }
    }

private:
    Lifecycle *m_lifecycle;
    FleetActions *m_actions;
    QList<AssignTarget> m_targets;
    QString m_image;
    QList<Assignment> m_assignments;
    bool m_failed = false;
    QString m_error;
};

} // namespace

FleetActions::FleetActions(Lab *lab, FleetView *view, QUndoStack *undoStack, QWidget *dialogParent)
    : QObject(view)
    , m_lab(lab)
    , m_view(view)
    , m_undo(undoStack)
    , m_dialogParent(dialogParent)
    , m_lifecycle(lab->catalog())
    , m_confirm([this](const QString &image, const QList<PlannedChange> &changes) {
        return confirmWithDialog(image, changes);
    })
{
    m_lifecycle.setStoreDir(lab->storeDir()); // Secure Boot machines refuse unsigned kernels
    connect(view->model(), &FleetModel::imageDropped, this, &FleetActions::onImageDropped);
    connect(view->groups(), &LabelGroupModel::imageDroppedOnSection, this, &FleetActions::onImageDroppedOnSection);
}

void FleetActions::onImageDropped(const QString &image, const QString &machine)
{
    // Dropped on a selected row: the whole selection; elsewhere: that machine only.
    const QStringList selected = m_view->selectedMachines();
    assignToMachines(selected.contains(machine) ? selected : QStringList { machine }, image);
}

void FleetActions::onImageDroppedOnSection(
    const QString &image, const QString &key, const QString &value, const QStringList &machines)
{
    // A "group" section is the group itself: machines that join it later follow too.
    // Any other label only names the machines shown under it.
    if (key == QLatin1String("group") && !value.isEmpty())
        assignToGroup(value, image);
    else
        assignToMachines(machines, image);
}

bool FleetActions::assignToMachines(const QStringList &machines, const QString &image)
{
    QList<AssignTarget> targets;
    for (const QString &name : machines)
        targets.append(AssignTarget { TargetKind::Machine, name });
    return assign(targets, image);
}

bool FleetActions::assignToGroup(const QString &group, const QString &image)
{
    return assign({ AssignTarget { TargetKind::Group, group } }, image);
}

bool FleetActions::assign(const QList<AssignTarget> &targets, const QString &image)
{
    if (targets.isEmpty())
        return false;
    const QList<PlannedChange> changes = m_lifecycle.plan(targets, image);
    if (!m_confirm(image, changes))
        return false;
    auto *command = new AssignCommand(&m_lifecycle, this, targets, image);
    m_undo->push(command); // runs redo()
    if (command->failed()) {
        Q_EMIT message(command->error());
        Q_EMIT performed(tr("assigning %1: %2").arg(describeAssigned(image), command->error()), true);
        return false;
    }
    Q_EMIT message(
        tr("%1 assigned; %n machine(s) boot it at their next boot (Ctrl+Z to undo)", nullptr, int(changes.size()))
            .arg(describeAssigned(image)));
    QStringList names;
    for (const AssignTarget &t : targets)
        names.append(t.kind == TargetKind::Default ? tr("the default") : t.name);
    Q_EMIT performed(tr("assigned %1 to %2").arg(describeAssigned(image), names.join(QStringLiteral(", "))));
    return true;
}

bool FleetActions::confirmWithDialog(const QString &image, const QList<PlannedChange> &changes)
{
    QStringList lines;
    for (const PlannedChange &c : changes)
        lines.append(tr("%1: %2 → %3")
                .arg(c.machine, c.from.isEmpty() ? tr("(nothing)") : describeAssigned(c.from), describeAssigned(c.to)));
    const QString detail = lines.isEmpty() ? tr("No machine's next boot changes.") : lines.join(QLatin1Char('\n'));
    const QString what = describeAssigned(image);
    return QMessageBox::question(m_dialogParent, tr("Assign %1").arg(what),
               tr("At their next boot:\n\n%1\n\nAssign %2?").arg(detail, what))
        == QMessageBox::Yes;
}

void FleetActions::rollbackMachines(const QStringList &machines)
{
    for (const QString &name : machines) {
        auto a = m_lifecycle.rollback(AssignTarget { TargetKind::Machine, name }, currentUser());
        const QString text = a ? tr("%1 rolls back to %2 at its next boot").arg(name, describeAssigned(a->image))
                               : tr("%1: %2").arg(name, a.error());
        Q_EMIT message(text);
        Q_EMIT performed(a ? tr("rolled %1 back to %2").arg(name, describeAssigned(a->image)) : text, !a);
    }
}

void FleetActions::chooseImageAndAssign()
{
    const QStringList machines = m_view->selectedMachines();
    if (machines.isEmpty()) {
        Q_EMIT message(tr("Select machines first."));
        return;
    }
    // The images, newest last and preselected, then the boot targets besides images.
    QStringList stored;
    for (const ImageRecord &image : m_lab->catalog()->images())
        stored.append(image.tag());
    const int newest = int(stored.size()) - 1;
    for (const BootTarget &target : bootTargetsWithIsos(*m_lab->catalog()))
        stored.append(target.stored());
    QStringList shown;
    for (const QString &s : std::as_const(stored))
        shown.append(describeAssigned(s));
    bool ok = false;
    const QString choice = QInputDialog::getItem(m_dialogParent, tr("Assign Image"),
        tr("Image or boot target for %n machine(s):", nullptr, int(machines.size())), shown, qMax(0, newest), false,
        &ok);
    if (ok && shown.contains(choice))
        assignToMachines(machines, stored.at(shown.indexOf(choice)));
}

void FleetActions::showHistory()
{
    const QStringList machines = m_view->selectedMachines();
    if (machines.size() != 1)
        return;
    QStringList lines;
    for (const Assignment &a : m_lab->catalog()->history(TargetKind::Machine, machines.first()))
        lines.append(tr("%1  %2  by %3  %4")
                .arg(QLocale().toString(a.when.toLocalTime(), QLocale::ShortFormat),
                    a.image.isEmpty() ? tr("(follows its group)") : describeAssigned(a.image), a.who, a.why));
    QMessageBox::information(m_dialogParent, tr("History of %1").arg(machines.first()),
        lines.isEmpty() ? tr("No image was ever assigned to this machine itself; it follows "
                             "its group or the default image.")
                        : lines.join(QLatin1Char('\n')));
}

void FleetActions::nameMachines()
{
    const QStringList machines = m_view->selectedMachines();
    if (machines.isEmpty())
        return;
    NamingDialog dialog(m_lab->catalog(), machines, m_dialogParent);
    if (dialog.exec() == QDialog::Accepted)
        Q_EMIT message(tr("named %n machine(s) from %1", nullptr, int(machines.size())).arg(dialog.pattern()->text()));
    Q_EMIT performed(tr("named %n machine(s) from %1", nullptr, int(machines.size())).arg(dialog.pattern()->text()));
}

void FleetActions::saveHandover()
{
    const QStringList machines = m_view->selectedMachines();
    if (machines.isEmpty())
        return;
    const QString path = QFileDialog::getSaveFileName(m_dialogParent, tr("Save Hand-over Sheet"),
        QStringLiteral("handover.pdf"), tr("PDF (*.pdf);;Web page (*.html)"));
    if (path.isEmpty())
        return;
    if (Status s = writeHandover(machines, path); !s) {
        QMessageBox::warning(m_dialogParent, tr("Save Hand-over Sheet"), s.error());
        return;
    }
    Q_EMIT message(tr("saved the hand-over sheet of %n machine(s) to %1", nullptr, int(machines.size())).arg(path));
}

Status FleetActions::writeHandover(const QStringList &machines, const QString &path) const
{
    const auto entries = handoverEntries(*m_lab->catalog(), machines);
    if (!entries)
        return Status::failure(entries.error());
    return saveHandoverSheet(path, handoverHtml(tr("Machines handed over"), *entries));
}

void FleetActions::populateContextMenu(QMenu *menu)
{
    // Each action says how much selection it needs; updateEnabled() applies it whenever the
    // menu opens, so the same actions serve the menu bar and the context menu.
    auto needs
        = [](QAction *action, const char *selection) { action->setProperty("drover.needs", QByteArray(selection)); };
    needs(menu->addAction(tr("&Assign Image…"), this, &FleetActions::chooseImageAndAssign), "any");
    needs(menu->addAction(tr("&Roll Back"), this, [this] { rollbackMachines(m_view->selectedMachines()); }), "any");
    QMenu *instead = menu->addMenu(tr("Boot &Instead"));
    instead->setToolTip(tr("Send the selected machines somewhere else than an image at their next boot; "
                           "assign an image to bring them back"));
    // Filled as it opens: the catalog's ISOs come and go.
    connect(instead, &QMenu::aboutToShow, this, [this, instead, needs] {
        instead->clear();
        for (const BootTarget &target : bootTargetsWithIsos(*m_lab->catalog())) {
            needs(instead->addAction(target.displayName(), this,
                      [this, target] { assignToMachines(m_view->selectedMachines(), target.stored()); }),
                "any");
        }
        updateEnabled(instead);
    });
    needs(menu->addAction(tr("&History…"), this, &FleetActions::showHistory), "one");
    QAction *sheet = menu->addAction(tr("Save Hand-over &Sheet…"), this, &FleetActions::saveHandover);
    sheet->setToolTip(tr("A page per machine with its hardware, labels and image, as PDF or HTML, to hand over "
                         "with the machines"));
    needs(sheet, "any");
    QAction *name = menu->addAction(tr("&Name Machines…"), this, &FleetActions::nameMachines);
    name->setShortcut(QKeySequence(Qt::Key_F2));
    name->setToolTip(tr("Name the selected machines from a pattern (lab-{n:02}) and label them"));
    needs(name, "any");
    connect(menu, &QMenu::aboutToShow, this, [this, menu] { updateEnabled(menu); });
    updateEnabled(menu);
}

void FleetActions::updateEnabled(QMenu *menu) const
{
    const qsizetype selected = m_view->selectedMachines().size();
    for (QAction *action : menu->actions()) {
        const QByteArray needs = action->property("drover.needs").toByteArray();
        if (needs == "any")
            action->setEnabled(selected > 0);
        else if (needs == "one")
            action->setEnabled(selected == 1);
    }
}

} // namespace drover
