// Test fixtures: a Lab in a temporary directory on SQLite or on a real PostgreSQL, and the
// backend rows every catalog test runs on.
#pragma once

#include "lab/lab.h"
#include "util/result.h"

#include <QTemporaryDir>

#include <memory>

namespace drover {
class Catalog;
}

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
// A Lab on SQLite in a new temporary directory, for tests that are not about the catalog's
// backend; a lab that cannot open ends the test run with the reason (nothing else could pass).
TestLab sqliteLab();
// Machines pc-01 … pc-NN (MAC 52:54:00:00:00:NN), in group `group` when given.
Status addTestMachines(Catalog *catalog, int count, const QString &group = {});
// For widget tests' initTestCase: settings and data go to test locations, under an
// organisation of the test's own, emptied — no test sees another's (or a user's) choices.
void isolateSettings(const QString &organisation);
// A stand-in for pkexec (fault injection for the build helper's callers): DIR/pkexec, a
// shell script with `body`, which the Builder runs from now on ($DROVER_PKEXEC) instead of
// the real one. Unset DROVER_PKEXEC when the test is done.
void useStandInPkexec(const QString &dir, const QByteArray &body);

} // namespace drover::test
