// Mounts the build needs — a layer image through a loop device, an overlay of layers, proc and
// tmpfs for a chroot — made with the mount(2) and loop ioctls directly (no mount(8) needed).
// The build worker first moves into a private mount namespace: nothing it mounts is seen by
// the rest of the system, and whatever a crash leaves mounted goes away with the thread.
#pragma once

#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace drover {

// Gives the calling thread its own mount namespace and mounts a private tmpfs on `dir`, the
// build's work directory: nothing mounted below it propagates to the host (even when "/" is
// no mount point, as in a chroot), dpkg and mksquashfs work in RAM, and the whole tree
// vanishes at once when unmounted or when the thread ends — no slow recursive delete. With
// `inMemory` false, `dir` stays on disk (bind-mounted onto itself to make it private).
Status enterPrivateMountNamespace(const QString &dir, bool inMemory = true);

// Mounts made through a MountSet are unmounted, last first, by unmountAll() or on destruction.
class MountSet {
    Q_DISABLE_COPY_MOVE(MountSet)
public:
    MountSet() = default;
    ~MountSet();

    // A squashfs or erofs image file, read-only, through a loop device that detaches itself.
    Status mountImage(const QString &image, const QString &target, const QString &fsType);
    // lowers: the top layer first. With an empty upper the overlay is read-only.
    Status mountOverlay(const QStringList &lowers, const QString &upper, const QString &work, const QString &target);
    // A virtual filesystem: "proc", "tmpfs" (options like "mode=0755").
    Status mountVirtual(const QString &type, const QString &target, const QString &options = {});
    // `source` also visible at `target` (read-write).
    Status bind(const QString &source, const QString &target);
    Status unmountAll();

private:
    Status mountRaw(
        const QString &source, const QString &target, const QString &type, unsigned long flags, const QString &options);
    QStringList m_targets;
};

// Lazily unmounts every mount at or below `dir` (deepest first).
void unmountBelow(const QString &dir);
// Deletes `path` recursively without crossing into other filesystems (after unmountBelow).
Status removeTree(const QString &path);

} // namespace drover
