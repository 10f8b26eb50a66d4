// Naming machines from a pattern: "lab-{n:02}" numbers the selected machines lab-01, lab-02,
// … so a technician names a bench of new PCs in one step. The names must be usable as host
// names ({{name}} goes into configurations), and machines in an active rollout keep theirs.
#pragma once

#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace drover {

class Catalog;

// The names `pattern` gives `count` machines numbered from `first`. {n} is the number, {n:0W}
// the number zero-padded to W digits. Fails, saying why, on a pattern without {n}, a
// malformed placeholder, or a name that is not a host name.
Result<QStringList> expandNamePattern(const QString &pattern, int count, int first = 1);

// Why `name` cannot name a machine, or empty: letters, digits and '-', at most 63, not
// starting or ending with '-'.
QString machineNameProblem(const QString &name);

// Renames `machines` (in this order) to the pattern's names, and gives each the `labels`
// (KEY=VALUE; an empty value removes the label). One transaction for the names; refuses a
// machine in an active rollout. Returns the new names, in order.
Result<QStringList> nameMachines(Catalog &catalog, const QStringList &machines, const QString &pattern, int first,
    const QList<std::pair<QString, QString>> &labels = {});

} // namespace drover
