// PackageIndex: a small Debian control-file reader for apt's package lists.
#include "builder/packageindex.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(PackageIndex)
};

// What machines download (kernel, initramfs, zstd squashfs layers after pruning) against
// what dpkg reports installed, measured on trixie: 0.22 for a kernel-only recipe keeping the
// virtio modules, 0.37 for the reference recipe. A rough middle, shown as an estimate.
constexpr double compressedShare = 0.3;

QString stripArch(QString name)
{
    const qsizetype colon = name.indexOf(QLatin1Char(':'));
    if (colon >= 0)
        name.truncate(colon);
    const qsizetype eq = name.indexOf(QLatin1Char('='));
    if (eq >= 0)
        name.truncate(eq);
    return name;
}

} // namespace

PackageIndex PackageIndex::load(const QString &listsDir, const QString &suite, const QString &architecture)
{
    PackageIndex index;
    index.m_suite = suite;
    const QDir dir(listsDir);
    const QStringList all = dir.entryList({ QStringLiteral("*_Packages") }, QDir::Files, QDir::Name);
    QStringList chosen;
    const QString suitePart = QStringLiteral("_dists_") + suite + QLatin1Char('_');
    const QString archPart = QStringLiteral("_binary-") + architecture + QStringLiteral("_Packages");
    for (const QString &name : all) {
        if (name.contains(suitePart)
            && (name.endsWith(archPart) || name.endsWith(QLatin1String("_binary-all_Packages"))))
            chosen.append(name);
    }
    if (chosen.isEmpty()) {
        chosen = all;
        if (all.isEmpty()) {
            const QStringList packed = dir.entryList({ QStringLiteral("*_Packages.*") }, QDir::Files);
            index.m_note = packed.isEmpty()
                ? Text::tr("apt has no package lists in %1 (run apt-get update); type package names instead")
                      .arg(listsDir)
                : Text::tr("the package lists in %1 are compressed, which Drover cannot read; type package "
                           "names instead")
                      .arg(listsDir);
        } else {
            index.m_note = Text::tr("the host's apt has no lists for %1; showing what it has for other suites, "
                                    "which may differ")
                               .arg(suite);
        }
    }
    for (const QString &name : std::as_const(chosen)) {
        index.parse(dir.filePath(name));
        index.m_files.append(dir.filePath(name));
    }
    return index;
}

void PackageIndex::parse(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    PackageInfo current;
    QString provides;
    auto flush = [this, &current, &provides] {
        if (current.name.isEmpty())
            return;
        const auto it = m_byName.constFind(current.name);
        if (it != m_byName.constEnd()) {
            m_packages[*it] = current; // a later list (updates) wins
        } else {
            m_byName.insert(current.name, m_packages.size());
            m_packages.append(current);
        }
        for (const QString &p : provides.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString virtualName = stripArch(p.trimmed().section(QLatin1Char(' '), 0, 0));
            if (!m_providers.contains(virtualName))
                m_providers.insert(virtualName, current.name);
        }
        current = PackageInfo();
        provides.clear();
    };
    auto value
        = [](const QByteArray &line, qsizetype keyLength) { return QString::fromUtf8(line.mid(keyLength).trimmed()); };
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        if (line.isEmpty() || line == "\n") {
            flush();
            continue;
        }
        if (line.startsWith(' ') || line.startsWith('\t'))
            continue;
        if (line.startsWith("Package:"))
            current.name = value(line, 8);
        else if (line.startsWith("Description:"))
            current.description = value(line, 12);
        else if (line.startsWith("Installed-Size:"))
            current.installedKiB = value(line, 15).toLongLong();
        else if (line.startsWith("Depends:") || line.startsWith("Pre-Depends:")) {
            const QString deps = value(line, line.indexOf(':') + 1);
            current.depends = current.depends.isEmpty() ? deps : current.depends + QLatin1Char(',') + deps;
        } else if (line.startsWith("Essential:"))
            current.essential = value(line, 10) == QLatin1String("yes");
        else if (line.startsWith("Provides:"))
            provides = value(line, 9);
    }
    flush();
}

const PackageInfo *PackageIndex::find(const QString &name) const
{
    const auto it = m_byName.constFind(stripArch(name));
    return it == m_byName.constEnd() ? nullptr : &m_packages.at(*it);
}

QString PackageIndex::resolve(const QString &clause, const QSet<QString> &excluded) const
{
    for (const QString &alternative : clause.split(QLatin1Char('|'))) {
        QString name = stripArch(alternative.trimmed().section(QLatin1Char(' '), 0, 0));
        if (excluded.contains(name))
            continue;
        if (m_byName.contains(name))
            return name;
        if (const QString provider = m_providers.value(name); !provider.isEmpty() && !excluded.contains(provider))
            return provider;
    }
    return {};
}

SizeEstimate PackageIndex::estimate(const QStringList &chosen, const QStringList &excluded) const
{
    SizeEstimate out;
    const QSet<QString> skip(excluded.cbegin(), excluded.cend());
    QSet<QString> seen;
    QStringList queue;
    for (const PackageInfo &p : m_packages) {
        if (p.essential && !skip.contains(p.name))
            queue.append(p.name);
    }
    for (const QString &name : chosen) {
        if (const QString real = resolve(name, skip); !real.isEmpty())
            queue.append(real);
        else
            out.unknown.append(name);
    }
    while (!queue.isEmpty()) {
        const QString name = queue.takeLast();
        if (seen.contains(name))
            continue;
        seen.insert(name);
        const PackageInfo *p = find(name);
        if (!p)
            continue;
        out.installedBytes += p->installedKiB * 1024;
        for (const QString &clause : p->depends.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (const QString dep = resolve(clause, skip); !dep.isEmpty() && !seen.contains(dep))
                queue.append(dep);
        }
    }
    out.packages = int(seen.size());
    out.compressedBytes = qint64(double(out.installedBytes) * compressedShare);
    return out;
}

} // namespace drover
