// Lab: one Drover data directory opened: the catalog, the image store, the log bus. The GUI,
// the headless server and every command-line verb stand on the same Lab.
#pragma once

#include "catalog/catalog.h"
#include "log/logbus.h"
#include "util/result.h"

#include <QObject>
#include <QString>

#include <memory>

namespace drover {

struct LabOptions {
    QString dataDir; // empty: defaultDataDir()
    QString catalogUrl; // empty: SQLite in dataDir/catalog.sqlite
};

// The data directory is kept 0700 and holds secrets.key (0600), the key that seals BMC
// passwords in the catalog (util/secretbox.h); a SQLite catalog there is 0600.

class Lab final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Lab)
public:
    static QString defaultDataDir(); // ~/.local/share/drover
    static Result<std::unique_ptr<Lab>> open(const LabOptions &options, QObject *parent = nullptr);
    ~Lab() override;

    QString dataDir() const { return m_dataDir; }
    QString storeDir() const;
    Catalog *catalog() const { return m_catalog.get(); }
    LogBus *log() const { return m_log; }

private:
    explicit Lab(QObject *parent);
    void note(const QString &text); // a security fix made while opening, for the log

    QString m_dataDir;
    LogBus *m_log = nullptr;
    std::unique_ptr<Catalog> m_catalog;
};

} // namespace drover
