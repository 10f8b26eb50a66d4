#include "inventory/handover.h"

#include "catalog/boottarget.h"
#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(Handover)
};

QString row(const QString &label, const QString &value)
{
    return QStringLiteral("<tr><th>%1</th><td>%2</td></tr>\n").arg(label.toHtmlEscaped(), value.toHtmlEscaped());
}

// The newest test run: its verdict, then a line per test with its numbers.
QString testsHtml(const Machine &m, const std::optional<TestRunRecord> &run)
{
    const QLocale locale;
    if (!run)
        return QStringLiteral("<p>%1</p>\n").arg(Text::tr("Burn-in: not run").toHtmlEscaped());
    const QString suite = run->suite.isEmpty() ? Text::tr("Tests") : run->suite;
    QString verdict = run->passed ? Text::tr("%1 passed %2") : Text::tr("%1 failed %2");
    verdict = verdict.arg(suite, locale.toString(run->at.toLocalTime(), QLocale::ShortFormat));
    if (!run->passed && !m.burninFailed.isValid())
        verdict += Text::tr(" (failure cleared)");
    QString html = QStringLiteral("<p%1><b>%2</b></p>\n<table>\n")
                       .arg(run->passed ? QString() : QStringLiteral(" class=\"changed\""), verdict.toHtmlEscaped());
    for (const TestResult &t : run->tests) {
        QStringList parts { t.passed ? Text::tr("pass") : Text::tr("FAIL"),
            Text::tr("%1 s").arg(locale.toString(double(t.durationMs) / 1000.0, 'f', 1)) };
        if (const QString metrics = describeMetrics(t); !metrics.isEmpty())
            parts << metrics;
        if (!t.passed && !t.output.isEmpty())
            parts << t.output;
        html += row(t.name, parts.join(QStringLiteral(" · ")));
    }
    return html + QStringLiteral("</table>\n");
}

} // namespace

Result<QList<HandoverEntry>> handoverEntries(const Catalog &catalog, const QStringList &machines)
{
    QList<HandoverEntry> entries;
    for (const QString &name : machines) {
        const auto m = catalog.machineByName(name);
        if (!m)
            return Result<QList<HandoverEntry>>::failure(Text::tr("no machine named '%1'").arg(name));
        const auto assignment = catalog.effectiveAssignment(*m);
        const QList<TestRunRecord> runs = catalog.testRuns(name, 1);
        entries.append({ *m, assignment ? describeAssigned(assignment->image) : QString(), catalog.inventory(name),
            runs.isEmpty() ? std::nullopt : std::optional<TestRunRecord>(runs.first()) });
    }
    return entries;
}

QString handoverHtml(const QString &title, const QList<HandoverEntry> &entries)
{
    const QLocale locale;
    QString html = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n"
                                  "<style>body { font-family: sans-serif; font-size: 10pt; } "
                                  "h2 { margin-top: 1.5em; border-bottom: 1px solid #888; } "
                                  "th { text-align: left; padding-right: 1em; vertical-align: top; } "
                                  ".changed { color: #b05a00; }</style></head><body>\n<h1>%1</h1>\n<p>%2</p>\n")
                       .arg(title.toHtmlEscaped(),
                           Text::tr("%n machine(s), printed %1", nullptr, int(entries.size()))
                               .arg(locale.toString(QDateTime::currentDateTime(), QLocale::LongFormat))
                               .toHtmlEscaped());
    for (const HandoverEntry &e : entries) {
        const Machine &m = e.machine;
        html += QStringLiteral("<h2>%1</h2>\n<table>\n").arg(m.name.toHtmlEscaped());
        html += row(Text::tr("MAC"), m.mac);
        QStringList labels;
        for (auto it = m.labels.cbegin(); it != m.labels.cend(); ++it)
            labels << it.key() + QLatin1Char('=') + it.value();
        if (!labels.isEmpty())
            html += row(Text::tr("Labels"), labels.join(QStringLiteral(", ")));
        html += row(Text::tr("Boots"), e.assignedImage.isEmpty() ? Text::tr("nothing assigned") : e.assignedImage);
        if (!m.lastGoodImage.isEmpty())
            html += row(Text::tr("Last known good"), m.lastGoodImage);
        if (!e.inventory) {
            html += row(Text::tr("Hardware"), Text::tr("not reported yet"));
        } else {
            html += row(
                Text::tr("Reported"), locale.toString(e.inventory->lastSeen.toLocalTime(), QLocale::ShortFormat));
            for (const auto &[label, value] : describeInventory(e.inventory->hardware))
                html += row(label, value);
        }
        html += QStringLiteral("</table>\n");
        if (m.hardwareChanged.isValid() && e.inventory) {
            html += QStringLiteral("<p class=\"changed\">%1</p>\n")
                        .arg(Text::tr("Hardware changed %1 and not acknowledged: %2")
                                .arg(locale.toString(m.hardwareChanged.toLocalTime(), QLocale::ShortFormat),
                                    e.inventory->changes.join(QStringLiteral("; ")))
                                .toHtmlEscaped());
        }
        html += testsHtml(m, e.tests);
    }
    html += QStringLiteral("</body></html>\n");
    return html;
}

} // namespace drover
