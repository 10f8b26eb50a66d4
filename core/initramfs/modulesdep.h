// ModulesDep: a kernel's modules.dep (written by depmod), read to answer "which module files,
// in which load order, does loading these modules take". Used to put exactly the modules the
// init needs into the initramfs, and to keep a pruned image's module set closed under its
// dependencies.
#pragma once

#include "util/result.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace drover {

class ModulesDep {
public:
    struct Files {
        QByteArray dep; // modules.dep
        QByteArray builtin; // modules.builtin: built-in modules
        QByteArray alias; // modules.alias: "alias crc32c crc32c_generic" (only plain names are used)
        QByteArray softdep; // modules.softdep: "softdep r8169 pre: realtek"
    };
    static Result<ModulesDep> parse(const Files &files);
    static Result<ModulesDep> parse(const QByteArray &modulesDep, const QByteArray &modulesBuiltin = {});
    // Reads modules.dep, .builtin, .alias and .softdep from dir (/lib/modules/<release>).
    static Result<ModulesDep> load(const QString &moduleDir);

    // "kernel/fs/overlayfs/overlay.ko.xz" → "overlay"; dashes become underscores, as the kernel does.
    static QString moduleName(const QString &path);

    bool contains(const QString &name) const;
    bool isBuiltin(const QString &name) const;
    QString pathOf(const QString &name) const; // empty when unknown
    QStringList dependenciesOf(const QString &path) const; // direct, as depmod listed them
    QStringList allPaths() const { return m_order; }

    struct Resolution {
        QStringList paths; // dependencies before dependants: the order to insmod them
        QStringList builtin; // asked for but built into the kernel
        QStringList missing; // asked for, neither a module nor built in
    };
    // The modules `names` need — each name a module, or a plain alias of some (every
    // candidate is taken, as the kernel may ask for any) — closed under dependencies and
    // soft dependencies, each once.
    Resolution resolve(const QStringList &names) const;

    // modules.dep text for a subset of the modules (paths as in allPaths()), in this file's order.
    QByteArray subset(const QSet<QString> &paths) const;
    // modules.alias lines whose module is in the subset.
    QByteArray aliasSubset(const QSet<QString> &paths) const;

private:
    void visit(const QString &path, QSet<QString> &seen, QStringList &out) const;
    void request(const QString &name, QSet<QString> &seen, Resolution &r, bool optional) const;

    QStringList m_order; // module paths as they appear in modules.dep
    QHash<QString, QStringList> m_deps; // path → direct dependencies
    QHash<QString, QString> m_byName; // name → path
    QSet<QString> m_builtin; // names
    QHash<QString, QStringList> m_aliases; // plain alias → module names
    QList<std::pair<QString, QString>> m_aliasLines; // every "alias PATTERN module", in order
    QHash<QString, QStringList> m_softdeps; // module name → names it wants loaded too
};

} // namespace drover
