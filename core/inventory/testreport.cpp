#include "inventory/testreport.h"

#include "inventory/reportlines.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QLocale>
#include <QMap>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(TestReport)
};

bool isNameChar(QChar c)
{
    return c.unicode() < 0x80
        && (c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('-'));
}

bool isName(QStringView s, qsizetype max)
{
    if (s.isEmpty() || s.size() > max)
        return false;
    for (QChar c : s) {
        if (!isNameChar(c))
            return false;
    }
    return true;
}

// A day is far longer than any burn-in runs; a bigger figure is a lie or a broken clock.
constexpr qint64 kMaxDurationMs = qint64(24) * 3600 * 1000;

// Sets one field of `test` from "FIELD" (after "test.N."), or says why it cannot.
QString assignTestField(TestResult &test, QStringView field, const QString &value)
{
    if (field == QLatin1String("name")) {
        if (!isName(value, kTestMaxName))
            return Text::tr("is not a test name (letters, digits, '.', '_' and '-', at most %1)").arg(kTestMaxName);
        test.name = value;
    } else if (field == QLatin1String("result")) {
        if (value != QLatin1String("pass") && value != QLatin1String("fail"))
            return Text::tr("is not pass or fail");
        test.passed = value == QLatin1String("pass");
    } else if (field == QLatin1String("duration_ms")) {
        bool ok = false;
        const qint64 ms = value.toLongLong(&ok);
        if (!ok || ms < 0 || ms > kMaxDurationMs || value.startsWith(QLatin1Char('+')))
            return Text::tr("is not a duration in milliseconds");
        test.durationMs = ms;
    } else if (field == QLatin1String("metric")) {
        const qsizetype eq = value.indexOf(QLatin1Char('='));
        if (eq <= 0 || !isName(QStringView(value).left(eq), 40))
            return Text::tr("is not NAME=NUMBER");
        bool ok = false;
        const double number = QStringView(value).mid(eq + 1).toDouble(&ok);
        if (!ok || !std::isfinite(number))
            return Text::tr("is not NAME=NUMBER");
        if (test.metrics.size() >= kTestMaxMetrics)
            return Text::tr("is one metric more than %1").arg(kTestMaxMetrics);
        const QString name = value.left(eq);
        // One value per name: the stored form and every reader key metrics by name.
        if (std::any_of(test.metrics.cbegin(), test.metrics.cend(), [&name](const auto &m) { return m.first == name; }))
            return Text::tr("repeats the metric %1").arg(name);
        test.metrics.append({ name, number });
    } else if (field == QLatin1String("output")) {
        test.output = value;
    }
    return {};
}

} // namespace

bool TestReport::passed() const
{
    if (tests.isEmpty())
        return false;
    return std::all_of(tests.cbegin(), tests.cend(), [](const TestResult &t) { return t.passed; });
}

QStringList TestReport::failedTests() const
{
    QStringList names;
    for (const TestResult &t : tests) {
        if (!t.passed)
            names << t.name;
    }
    return names;
}

QJsonArray TestReport::toJson() const
{
    QJsonArray array;
    for (const TestResult &t : tests) {
        QJsonObject metrics;
        QJsonArray order;
        for (const auto &[name, value] : t.metrics) {
            metrics.insert(name, value);
            order.append(name);
        }
        array.append(QJsonObject { { QStringLiteral("name"), t.name }, { QStringLiteral("passed"), t.passed },
            { QStringLiteral("durationMs"), t.durationMs }, { QStringLiteral("metrics"), metrics },
            { QStringLiteral("metricOrder"), order }, { QStringLiteral("output"), t.output } });
    }
    return array;
}

QList<TestResult> TestReport::testsFromJson(const QJsonArray &array)
{
    QList<TestResult> tests;
    for (const auto &v : array) {
        const QJsonObject o = v.toObject();
        TestResult t;
        t.name = o.value(QLatin1String("name")).toString();
        t.passed = o.value(QLatin1String("passed")).toBool();
        t.durationMs = o.value(QLatin1String("durationMs")).toInteger();
        // JSON objects forget their order; the report's order is kept beside them.
        const QJsonObject metrics = o.value(QLatin1String("metrics")).toObject();
        const QJsonArray order = o.value(QLatin1String("metricOrder")).toArray();
        for (const auto &name : order)
            t.metrics.append({ name.toString(), metrics.value(name.toString()).toDouble() });
        t.output = o.value(QLatin1String("output")).toString();
        tests.append(t);
    }
    return tests;
}

QString describeMetrics(const TestResult &test)
{
    const QLocale locale;
    QStringList parts;
    for (const auto &[name, value] : test.metrics)
        parts << name + QLatin1Char(' ') + locale.toString(value, 'g', 8);
    return parts.join(QStringLiteral(" · "));
}

std::optional<TestReport> parseTestReport(QByteArrayView text, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    TestReport report;
    QMap<int, TestResult> tests;
    QSet<int> withResult;
    const QString why
        = readReportLines(text, kTestReportMaxBytes, kTestMaxOutput, [&](QStringView key, const QString &value) {
              if (key == QLatin1String("suite")) {
                  if (!isName(value, kTestMaxName))
                      return Text::tr("suite is not a name");
                  report.suite = value;
                  return QString();
              }
              if (!key.startsWith(QLatin1String("test.")))
                  return QString(); // a newer machine's key
              const QStringView rest = key.mid(5);
              const qsizetype dot = rest.indexOf(QLatin1Char('.'));
              bool ok = false;
              const int index = dot > 0 && dot <= 2 ? rest.left(dot).toInt(&ok) : -1;
              if (!ok || index < 0 || index >= kTestMaxTests)
                  return Text::tr("%1 does not name a test 0 to %2").arg(key).arg(kTestMaxTests - 1);
              const QStringView field = rest.mid(dot + 1);
              if (const QString problem = assignTestField(tests[index], field, value); !problem.isEmpty())
                  return Text::tr("%1 %2").arg(key, problem);
              if (field == QLatin1String("result"))
                  withResult.insert(index);
              return QString();
          });
    if (!why.isEmpty())
        return fail(why);
    for (auto it = tests.cbegin(); it != tests.cend(); ++it) {
        if (it->name.isEmpty())
            return fail(Text::tr("test %1 has no name").arg(it.key()));
        if (!withResult.contains(it.key()))
            return fail(Text::tr("test %1 has no result").arg(it->name));
    }
    report.tests = tests.values();
    if (report.tests.isEmpty())
        return fail(Text::tr("the report names no test"));
    return report;
}

} // namespace drover
