#include "fleet/rollout.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Rollout)
};

constexpr Rollout::State kStates[] = { Rollout::State::Running, Rollout::State::Paused, Rollout::State::Done,
    Rollout::State::Failed, Rollout::State::Aborted };

} // namespace

Result<RolloutCount> RolloutCount::parse(const QString &text, const QString &option)
{
    static const QRegularExpression form(QStringLiteral("^([0-9]{1,6})(%?)\\z"));
    const auto m = form.match(text.trimmed());
    const int value = m.hasMatch() ? m.captured(1).toInt() : 0;
    const bool percent = m.hasMatch() && !m.captured(2).isEmpty();
    if (!m.hasMatch() || value < 1 || (percent && value > 100))
        return Result<RolloutCount>::failure(
            Text::tr("%1: '%2' is not a number of machines (3) or a percentage of the group (25%)").arg(option, text));
    return RolloutCount { value, percent };
}

int RolloutCount::of(int total) const
{
    if (total <= 0)
        return 0;
    const int n = percent ? (total * value + 99) / 100 : value;
    return qBound(1, n, total);
}

QString RolloutCount::toString() const
{
    return QString::number(value) + (percent ? QStringLiteral("%") : QString());
}

Result<int> parseDuration(const QString &text, const QString &option)
{
    static const QRegularExpression form(QStringLiteral("^([0-9]{1,7})([smh]?)\\z"));
    const auto m = form.match(text.trimmed());
    if (!m.hasMatch())
        return Result<int>::failure(Text::tr("%1: '%2' is not a duration such as 90s, 5m or 1h").arg(option, text));
    const int unit = m.captured(2) == QLatin1String("h") ? 3600 : m.captured(2) == QLatin1String("m") ? 60 : 1;
    return m.captured(1).toInt() * unit;
}

QString Rollout::stateKey(State state)
{
    switch (state) {
    case State::Running:
        return QStringLiteral("running");
    case State::Paused:
        return QStringLiteral("paused");
    case State::Done:
        return QStringLiteral("done");
    case State::Failed:
        return QStringLiteral("failed");
    case State::Aborted:
        break;
    }
    return QStringLiteral("aborted");
}

int Rollout::waves() const
{
    int n = 0;
    for (const RolloutMachine &m : machines)
        n = qMax(n, m.wave + 1);
    return n;
}

int Rollout::failures() const
{
    return int(std::count_if(machines.begin(), machines.end(),
        [](const RolloutMachine &m) { return m.result == QLatin1String("failed") || !m.why.isEmpty(); }));
}

int Rollout::finished() const
{
    return int(
        std::count_if(machines.begin(), machines.end(), [](const RolloutMachine &m) { return !m.result.isEmpty(); }));
}

QJsonObject Rollout::toJson() const
{
    QJsonArray list;
    for (const RolloutMachine &m : machines)
        list.append(QJsonObject { { QStringLiteral("name"), m.name }, { QStringLiteral("previous"), m.previousImage },
            { QStringLiteral("wave"), m.wave }, { QStringLiteral("assigned"), m.assignedMs },
            { QStringLiteral("ready"), m.readyMs }, { QStringLiteral("result"), m.result },
            { QStringLiteral("why"), m.why } });
    return QJsonObject { { QStringLiteral("group"), group }, { QStringLiteral("image"), image },
        { QStringLiteral("who"), who }, { QStringLiteral("canary"), canary.toString() },
        { QStringLiteral("wave"), wave.toString() }, { QStringLiteral("bakeSeconds"), bakeSeconds },
        { QStringLiteral("maxFailures"), maxFailures }, { QStringLiteral("reboot"), reboot },
        { QStringLiteral("requireTest"), requireTest }, { QStringLiteral("testUefi"), testUefi },
        { QStringLiteral("test"), test }, { QStringLiteral("state"), stateKey(state) },
        { QStringLiteral("currentWave"), currentWave }, { QStringLiteral("started"), startedMs },
        { QStringLiteral("message"), message }, { QStringLiteral("machines"), list } };
}

Result<Rollout> Rollout::fromJson(const QJsonObject &o)
{
    Rollout r;
    r.group = o.value(QStringLiteral("group")).toString();
    r.image = o.value(QStringLiteral("image")).toString();
    r.who = o.value(QStringLiteral("who")).toString();
    auto canary = RolloutCount::parse(o.value(QStringLiteral("canary")).toString(), QStringLiteral("canary"));
    auto wave = RolloutCount::parse(o.value(QStringLiteral("wave")).toString(), QStringLiteral("wave"));
    const QString state = o.value(QStringLiteral("state")).toString();
    const auto known
        = std::find_if(std::begin(kStates), std::end(kStates), [&](State s) { return stateKey(s) == state; });
    if (r.group.isEmpty() || r.image.isEmpty() || !canary || !wave || known == std::end(kStates))
        return Result<Rollout>::failure(Text::tr("the stored rollout of group '%1' is damaged").arg(r.group));
    r.canary = *canary;
    r.wave = *wave;
    r.state = *known;
    r.bakeSeconds = o.value(QStringLiteral("bakeSeconds")).toInt();
    r.maxFailures = o.value(QStringLiteral("maxFailures")).toInt();
    r.reboot = o.value(QStringLiteral("reboot")).toBool();
    r.requireTest = o.value(QStringLiteral("requireTest")).toBool();
    r.testUefi = o.value(QStringLiteral("testUefi")).toBool();
    r.test = o.value(QStringLiteral("test")).toString();
    r.currentWave = o.value(QStringLiteral("currentWave")).toInt();
    r.startedMs = o.value(QStringLiteral("started")).toInteger();
    r.message = o.value(QStringLiteral("message")).toString();
    const QJsonArray machines = o.value(QStringLiteral("machines")).toArray();
    for (const auto &v : machines) {
        const QJsonObject m = v.toObject();
        r.machines.append(RolloutMachine { m.value(QStringLiteral("name")).toString(),
            m.value(QStringLiteral("previous")).toString(), m.value(QStringLiteral("wave")).toInt(),
            m.value(QStringLiteral("assigned")).toInteger(), m.value(QStringLiteral("ready")).toInteger(),
            m.value(QStringLiteral("result")).toString(), m.value(QStringLiteral("why")).toString() });
    }
    return r;
}

QList<Rollout> Rollout::all(const Catalog &catalog)
{
    QList<Rollout> list;
    const auto stored = catalog.settings(QStringLiteral("rollout/"));
    for (auto it = stored.begin(); it != stored.end(); ++it) {
        if (it.value().isEmpty())
            continue;
        if (auto r = fromJson(QJsonDocument::fromJson(it.value().toUtf8()).object()))
            list.append(*r);
    }
    return list;
}

Result<Rollout> Rollout::load(const Catalog &catalog, const QString &group)
{
    const QString text = catalog.setting(settingKey(group), QString());
    if (text.isEmpty())
        return Result<Rollout>::failure(Text::tr("group '%1' has no rollout").arg(group));
    return fromJson(QJsonDocument::fromJson(text.toUtf8()).object());
}

Status Rollout::save(Catalog &catalog) const
{
    return catalog.setSetting(
        settingKey(group), QString::fromUtf8(QJsonDocument(toJson()).toJson(QJsonDocument::Compact)));
}

Result<Rollout> planRollout(const Catalog &catalog, const QString &group, const QString &image, RolloutCount canary,
    RolloutCount wave, int bakeSeconds, int maxFailures, bool reboot, const QString &who)
{
    using R = Result<Rollout>;
    if (!catalog.imageByTag(image))
        return R::failure(Text::tr("there is no image %1 in the catalog").arg(image));
    if (auto existing = Rollout::load(catalog, group); existing && existing->active())
        return R::failure(Text::tr("group %1 has a rollout of %2 %3 already; abort it first")
                .arg(group, existing->image, Rollout::stateKey(existing->state)));
    QStringList names, burninFailed;
    for (const Machine &m : catalog.machines()) {
        if (m.group() != group)
            continue;
        names.append(m.name);
        if (m.burninFailed.isValid())
            burninFailed.append(m.name);
    }
    if (names.isEmpty())
        return R::failure(Text::tr("group %1 has no machines").arg(group));
    // A machine that failed its burn-in is suspect hardware: it gets no image by rollout until
    // someone has looked at it and cleared the failure.
    if (!burninFailed.isEmpty()) {
        std::sort(burninFailed.begin(), burninFailed.end());
        return R::failure(Text::tr("%n machine(s) of group %1 failed their burn-in: %2; clear the failure "
                                   "(drover tests clear MACHINE, or Clear Failure in the Tests tab) or take them out "
                                   "of the group first",
            nullptr, int(burninFailed.size()))
                .arg(group, burninFailed.join(QStringLiteral(", "))));
    }
    std::sort(names.begin(), names.end());
    Rollout r;
    r.group = group;
    r.image = image;
    r.who = who;
    r.canary = canary;
    r.wave = wave;
    r.bakeSeconds = qMax(0, bakeSeconds);
    r.maxFailures = qMax(0, maxFailures);
    r.reboot = reboot;
    r.startedMs = QDateTime::currentMSecsSinceEpoch();
    const int total = int(names.size());
    const int canaries = canary.of(total);
    const int perWave = wave.of(total);
    for (int i = 0; i < total; ++i) {
        const int waveIndex = i < canaries ? 0 : 1 + (i - canaries) / perWave;
        r.machines.append(RolloutMachine { names.at(i), {}, waveIndex, 0, 0, {}, {} });
    }
    r.message
        = Text::tr("rollout of %1 to %2 planned: %n canary machine(s) first", nullptr, canaries).arg(image, group);
    return r;
}

} // namespace drover
