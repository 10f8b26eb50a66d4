#include "fleet/lifecycle.h"

#include "boot/secureboot.h"
#include "catalog/boottarget.h"
#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QSqlDatabase>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Lifecycle)
};

QString targetText(const AssignTarget &target)
{
    switch (target.kind) {
    case TargetKind::Machine:
        return Text::tr("machine %1").arg(target.name);
    case TargetKind::Group:
        return Text::tr("group %1").arg(target.name);
    case TargetKind::Default:
        break;
    }
    return Text::tr("the default image");
}

} // namespace

Lifecycle::Lifecycle(Catalog *catalog)
    : m_catalog(catalog)
{ }

QList<PlannedChange> Lifecycle::plan(const QList<AssignTarget> &targets, const QString &image) const
{
    QList<PlannedChange> changes;
    for (const Machine &m : m_catalog->machines()) {
        const bool affected = std::any_of(targets.cbegin(), targets.cend(), [&m](const AssignTarget &t) {
            switch (t.kind) {
            case TargetKind::Machine:
                return t.name == m.name;
            case TargetKind::Group:
                return !m.group().isEmpty() && t.name == m.group();
            case TargetKind::Default:
                return true;
            }
            return false;
        });
        if (!affected)
            continue;
        const auto current = m_catalog->effectiveAssignment(m);
        const QString from = current ? current->image : QString();
        // A machine's own assignment outranks a group or default one: those targets do
        // not change it.
        const bool shadowed = current && current->kind == TargetKind::Machine
            && std::none_of(targets.cbegin(), targets.cend(),
                [&m](const AssignTarget &t) { return t.kind == TargetKind::Machine && t.name == m.name; });
        if (shadowed || from == image)
            continue;
        changes.append(PlannedChange { m.name, from, image });
    }
    return changes;
}

QString Lifecycle::secureBootRefusal(const AssignTarget &target, const QString &image) const
{
    return m_storeDir.isEmpty() ? QString()
                                : drover::secureBootRefusal(*m_catalog, m_storeDir, target.kind, target.name, image);
}

Result<QList<Assignment>> Lifecycle::assign(
    const QList<AssignTarget> &targets, const QString &image, const QString &who, const QString &why)
{
    for (const AssignTarget &target : targets) {
        if (const QString refused = secureBootRefusal(target, image); !refused.isEmpty())
            return Result<QList<Assignment>>::failure(
                Text::tr("cannot assign %1 to %2: %3").arg(image, targetText(target), refused));
    }
    QSqlDatabase db = m_catalog->database();
    db.transaction();
    QList<Assignment> done;
    for (const AssignTarget &target : targets) {
        auto a = m_catalog->assign(target.kind, target.name, image, who, why);
        if (!a) {
            db.rollback();
            return Result<QList<Assignment>>::failure(
                Text::tr("cannot assign %1 to %2: %3").arg(image, targetText(target), a.error()));
        }
        done.append(a.value());
    }
    if (!db.commit())
        return Result<QList<Assignment>>::failure(
            Text::tr("cannot assign %1: the catalog refused the commit").arg(image));
    return done;
}

Status Lifecycle::undo(const QList<Assignment> &assignments)
{
    // Undo is only honest while nothing has booted the assignment: after that the history
    // must show it, and a rollback is the way back.
    for (const Assignment &a : assignments) {
        for (const Machine &m : m_catalog->machines()) {
            const bool covered = (a.kind == TargetKind::Machine && a.target == m.name)
                || (a.kind == TargetKind::Group && a.target == m.group()) || a.kind == TargetKind::Default;
            if (!covered)
                continue;
            for (const BootEvent &e : m_catalog->events(EventFilter { m.name, QStringLiteral("script"), 0, 50 })) {
                if (e.time >= a.when && e.image == a.image)
                    return Status::failure(
                        Text::tr("machine %1 has booted %2 already; use roll back instead").arg(m.name, a.image));
            }
        }
    }
    QSqlDatabase db = m_catalog->database();
    db.transaction();
    for (const Assignment &a : assignments) {
        if (Status s = m_catalog->removeAssignment(a.id); !s) {
            db.rollback();
            return s;
        }
    }
    db.commit();
    return {};
}

Result<QString> Lifecycle::previousImage(const AssignTarget &target) const
{
    // Candidates, most recent first: the target's own history, then — for a machine — what
    // its group, else the default, would give it without its own assignment.
    QStringList candidates;
    for (const Assignment &a : m_catalog->history(target.kind, target.name)) {
        if (!a.image.isEmpty()) // "follows its group" rows name no image
            candidates.append(a.image);
    }
    QString current = candidates.isEmpty() ? QString() : candidates.constFirst();
    if (target.kind == TargetKind::Machine) {
        const auto machine = m_catalog->machineByName(target.name);
        if (!machine)
            return Result<QString>::failure(Text::tr("no machine named '%1'").arg(target.name));
        if (const auto effective = m_catalog->effectiveAssignment(*machine))
            current = effective->image;
        if (!machine->group().isEmpty()) {
            for (const Assignment &a : m_catalog->history(TargetKind::Group, machine->group()))
                candidates.append(a.image);
        }
        for (const Assignment &a : m_catalog->history(TargetKind::Default, {}))
            candidates.append(a.image);
    }
    if (current.isEmpty())
        return Result<QString>::failure(Text::tr("%1 has no image assigned").arg(targetText(target)));
    for (const QString &image : std::as_const(candidates)) {
        if (image != current)
            return image;
    }
    return Result<QString>::failure(Text::tr("%1 has had no other image than %2").arg(targetText(target), current));
}

Result<Assignment> Lifecycle::rollback(const AssignTarget &target, const QString &who, const QString &to)
{
    QString image = to;
    if (image.isEmpty()) {
        auto previous = previousImage(target);
        if (!previous)
            return Result<Assignment>::failure(previous.error());
        image = previous.value();
    }
    if (const QString refused = secureBootRefusal(target, image); !refused.isEmpty())
        return Result<Assignment>::failure(refused);
    return m_catalog->assign(
        target.kind, target.name, image, who, Text::tr("roll back to %1").arg(describeAssigned(image)));
}

} // namespace drover
