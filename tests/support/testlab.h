// Test fixtures: a Lab in a temporary directory on SQLite or on a real PostgreSQL, and the
// backend rows every catalog test runs on.
#pragma once

#include "lab/lab.h"

#include <QTemporaryDir>

#include <memory>

namespace drover::test {

// Adds the column "backend" and one row per catalog backend ("sqlite", "postgresql").
void addBackendRows();

// The URL of a fresh, empty catalog on `backend`; starts PostgreSQL once per process.
// Skips the test (QSKIP-like: returns empty and sets *why) only when a backend cannot run.
QString freshCatalogUrl(const QString &backend, const QTemporaryDir &dir, QString *why);

struct TestLab {
    std::unique_ptr<QTemporaryDir> dir = std::make_unique<QTemporaryDir>();
    std::unique_ptr<Lab> lab;
};

// Opens a Lab on `backend` in a new temporary directory; on failure lab is null and *why says.
TestLab openTestLab(const QString &backend, QString *why);

} // namespace drover::test
