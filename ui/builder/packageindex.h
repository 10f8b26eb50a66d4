// PackageIndex: the packages the host's apt knows, read from its package lists
// (/var/lib/apt/lists/*_Packages): name, one-line description, installed size and the
// dependencies, enough for the wizard's package search and its size estimate. Reading the
// lists (tens of MB) is slow: load() is meant to run on a worker thread (QtConcurrent).
#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace drover {

struct PackageInfo {
    QString name;
    QString description;
    qint64 installedKiB = 0;
    QString depends; // Pre-Depends and Depends, comma-separated clauses
    bool essential = false;
};

struct SizeEstimate {
    int packages = 0; // with dependencies and Debian's essential set
    qint64 installedBytes = 0;
    qint64 compressedBytes = 0; // a rough guess of the image's download size
    QStringList unknown; // chosen names the lists do not have
};

class PackageIndex final {
public:
    // Reads the lists in `listsDir` for `suite` and `architecture` (all lists when none
    // matches the suite; `note` then says so).
    static PackageIndex load(const QString &listsDir, const QString &suite, const QString &architecture);
    static QString defaultListsDir() { return QStringLiteral("/var/lib/apt/lists"); }

    const QList<PackageInfo> &packages() const { return m_packages; }
    const PackageInfo *find(const QString &name) const;
    bool isEmpty() const { return m_packages.isEmpty(); }
    QStringList files() const { return m_files; }
    QString note() const { return m_note; } // why the lists may not match the recipe's suite
    QString suite() const { return m_suite; }

    // Installed size of `chosen`, their dependencies (first alternative; no recommends)
    // and the essential set, minus `excluded`.
    SizeEstimate estimate(const QStringList &chosen, const QStringList &excluded) const;

private:
    void parse(const QString &path);
    QString resolve(const QString &clause, const QSet<QString> &excluded) const;

    QList<PackageInfo> m_packages;
    QHash<QString, qsizetype> m_byName;
    QHash<QString, QString> m_providers; // virtual package → first real provider
    QStringList m_files;
    QString m_note;
    QString m_suite;
};

} // namespace drover
