// Kernel module classes for a recipe's prune rules ("net", "storage", "virtio", "fs", …): each
// names directories of a kernel's module tree. Pruning keeps the modules in the chosen classes,
// the always-kept core (crypto, lib, arch), whatever those depend on, and the modules Drover's
// init needs; everything else is deleted and depmod is run again.
#pragma once

#include <QString>
#include <QStringList>

namespace drover {

// Every class a recipe may name, plus "all".
QStringList moduleClasses();
// One line per class, for the docs and the wizard.
QString moduleClassDescription(const QString &name);
// Whether `name` is one of the finer classes naming what ordinary PCs and laptops have
// ("nic-pc", "storage-pc", …) rather than a whole kind of hardware ("net", "storage", …).
bool moduleClassForPcs(const QString &name);
// Whether the module at `path` (relative to /lib/modules/<release>, e.g.
// "kernel/drivers/net/virtio_net.ko.xz") belongs to one of `classes` or to the core.
bool moduleInClasses(const QString &path, const QStringList &classes);

} // namespace drover
