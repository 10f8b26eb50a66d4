// TestReport: what a machine's test suite (its burn-in: stress, disk reads, SMART, link
// speed) found, as Drover's ready script runs /usr/lib/drover/tests.d and posts the results
// (POST /tests). Like the hardware inventory, it comes from a machine a student may have root
// on: it is parsed strictly and bounded, stored and shown, and only ever blocks that machine
// (a failed burn-in keeps rollouts away from it until someone clears it).
//
// Wire form (text/plain), one "key<TAB>value" per line:
//   suite              burn-in
//   test.N.name        10-cpu-memory
//   test.N.result      pass | fail
//   test.N.duration_ms 30512
//   test.N.metric      bogo_ops_per_s=1234.5     (repeated, at most kTestMaxMetrics)
//   test.N.output      the tail of what it printed, on one line
// Unknown keys are skipped so newer machines can report more; a malformed line refuses the
// whole report, naming the line.
#pragma once

#include <QByteArrayView>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace drover {

struct TestResult {
    QString name {};
    bool passed = false;
    qint64 durationMs = 0;
    QList<std::pair<QString, double>> metrics {}; // in report order
    QString output {};
    bool operator==(const TestResult &) const = default;
};

struct TestReport {
    QString suite {}; // "burn-in"
    QList<TestResult> tests {};
    bool operator==(const TestReport &) const = default;

    bool passed() const; // every test passed (an empty report passes nothing: false)
    QStringList failedTests() const;
    // Stored form (the catalog's data column, --json): a list of tests.
    QJsonArray toJson() const;
    static QList<TestResult> testsFromJson(const QJsonArray &array);
};

// "bogo_ops_per_s 1,234.5 · memory_mib 2,048" for tables and the printed summary.
QString describeMetrics(const TestResult &test);

inline constexpr qsizetype kTestReportMaxBytes = 65536;
inline constexpr int kTestMaxTests = 64;
inline constexpr int kTestMaxMetrics = 32; // per test
inline constexpr int kTestMaxOutput = 400; // characters
inline constexpr int kTestMaxName = 64;

// Parses a report. On failure, nullopt and `error` says what was wrong and on which line. A
// report without tests is refused: a suite that ran nothing says nothing about the machine.
std::optional<TestReport> parseTestReport(QByteArrayView text, QString *error);

} // namespace drover
