// Lifecycle: what an admin does to machines' images — assign, undo an assignment no machine
// has booted yet, roll back to the previous (or a chosen) image. Assignments are
// append-only: a rollback is a new row naming the older image, with who, when and why.
#pragma once

#include "catalog/records.h"
#include "util/result.h"

#include <QList>
#include <QString>

namespace drover {

class Catalog;

struct AssignTarget {
    TargetKind kind = TargetKind::Machine;
    QString name; // machine or group name; empty for the default

    friend bool operator==(const AssignTarget &, const AssignTarget &) = default;
};

// What changes at the next boot if an image is assigned: one line per affected machine.
struct PlannedChange {
    QString machine;
    QString from; // the image it would boot now (empty: none)
    QString to;
};

class Lifecycle {
public:
    explicit Lifecycle(Catalog *catalog);
    // With the image store's directory, assign and rollback refuse an image whose kernel is
    // not signed for machines with Secure Boot on (secureBootRefusal).
    void setStoreDir(const QString &storeDir) { m_storeDir = storeDir; }

    // The machines whose next boot changes, and how, if `image` is assigned to `targets`.
    QList<PlannedChange> plan(const QList<AssignTarget> &targets, const QString &image) const;
    // Assigns `image` to every target in one transaction: all or nothing.
    Result<QList<Assignment>> assign(
        const QList<AssignTarget> &targets, const QString &image, const QString &who, const QString &why);
    // Removes assignments again, refused (naming the machine) once a machine has booted one.
    Status undo(const QList<Assignment> &assignments);
    // Appends an assignment of the image before the current one (or `to`), saying why.
    Result<Assignment> rollback(const AssignTarget &target, const QString &who, const QString &to = {});
    // The image `rollback` would choose, or an error saying why there is none.
    Result<QString> previousImage(const AssignTarget &target) const;

private:
    QString secureBootRefusal(const AssignTarget &target, const QString &image) const;

    Catalog *m_catalog;
    QString m_storeDir;
};

} // namespace drover
