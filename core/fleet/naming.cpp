#include "fleet/naming.h"

#include "catalog/catalog.h"
#include "fleet/rollout.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(MachineNaming)
};

} // namespace

QString machineNameProblem(const QString &name)
{
    static const QRegularExpression hostLabel(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"));
    if (name.isEmpty())
        return Text::tr("a machine needs a name");
    if (!hostLabel.match(name).hasMatch())
        return Text::tr("'%1' is not a host name: letters, digits and '-', at most 63, not starting or ending with '-'")
            .arg(name);
    return {};
}

Result<QStringList> expandNamePattern(const QString &pattern, int count, int first)
{
    using R = Result<QStringList>;
    static const QRegularExpression placeholder(QStringLiteral("\\{n(?::0([1-9]))?\\}"));
    if (!pattern.contains(placeholder))
        return R::failure(Text::tr("the pattern '%1' has no {n} (or {n:02}) for the number").arg(pattern));
    // A brace that is not part of a placeholder is a typo ({n:2}, {N}) rather than a name.
    if (QString(pattern).remove(placeholder).contains(QLatin1Char('{'))
        || QString(pattern).remove(placeholder).contains(QLatin1Char('}')))
        return R::failure(Text::tr("the pattern '%1' has a placeholder other than {n} or {n:0W}").arg(pattern));
    if (first < 0)
        return R::failure(Text::tr("numbers start at 0 or more, not %1").arg(first));
    QStringList names;
    for (int i = 0; i < count; ++i) {
        QString name;
        qsizetype at = 0;
        for (auto it = placeholder.globalMatch(pattern); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            name += pattern.mid(at, m.capturedStart() - at);
            const int width = m.captured(1).isEmpty() ? 0 : m.captured(1).toInt();
            name += QStringLiteral("%1").arg(first + i, width, 10, QLatin1Char('0'));
            at = m.capturedEnd();
        }
        name += pattern.mid(at);
        if (const QString problem = machineNameProblem(name); !problem.isEmpty())
            return R::failure(problem);
        names << name;
    }
    return names;
}

Result<QStringList> nameMachines(Catalog &catalog, const QStringList &machines, const QString &pattern, int first,
    const QList<std::pair<QString, QString>> &labels)
{
    using R = Result<QStringList>;
    auto names = expandNamePattern(pattern, int(machines.size()), first);
    if (!names)
        return names;
    // A rollout follows its machines by name: renaming one in the middle would lose it.
    for (const Rollout &r : Rollout::all(catalog)) {
        if (!r.active())
            continue;
        for (const RolloutMachine &rm : r.machines) {
            if (machines.contains(rm.name))
                return R::failure(Text::tr("%1 is in the active rollout of %2: rename it once the rollout is over")
                        .arg(rm.name, r.image));
        }
    }
    QList<std::pair<QString, QString>> renames;
    for (qsizetype i = 0; i < machines.size(); ++i)
        renames.append({ machines.at(i), names->at(i) });
    if (Status s = catalog.renameMachines(renames); !s)
        return R::failure(s.error());
    for (const QString &name : *names) {
        for (const auto &[key, value] : labels) {
            if (Status s = catalog.setLabel(name, key, value); !s)
                return R::failure(s.error());
        }
    }
    return names;
}

} // namespace drover
