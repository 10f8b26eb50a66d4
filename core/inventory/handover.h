// The hand-over sheet: what a technician gives with the hardware — each machine's name,
// MAC, labels, assigned image, its hardware inventory and its last burn-in — as one
// self-contained HTML page
// (drover inventory summary; the GUI prints the same page or saves it as PDF).
#pragma once

#include "catalog/records.h"
#include "util/result.h"

#include <QList>
#include <QString>

#include <optional>

namespace drover {

class Catalog;

struct HandoverEntry {
    Machine machine;
    QString assignedImage; // what it boots next, in words ("debian-server:2"), or empty
    std::optional<InventoryRecord> inventory;
    std::optional<TestRunRecord> tests; // its newest test run
};

// The entries of `machines` (names), in that order, from the catalog; fails naming the first
// machine it does not have.
Result<QList<HandoverEntry>> handoverEntries(const Catalog &catalog, const QStringList &machines);

// One page, one section per machine; every value escaped. `title` heads the page.
QString handoverHtml(const QString &title, const QList<HandoverEntry> &entries);

} // namespace drover
