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

} // namespace

Result<QList<HandoverEntry>> handoverEntries(const Catalog &catalog, const QStringList &machines)
{
    QList<HandoverEntry> entries;
    for (const QString &name : machines) {
        const auto m = catalog.machineByName(name);
        if (!m)
            return Result<QList<HandoverEntry>>::failure(Text::tr("no machine named '%1'").arg(name));
        const auto assignment = catalog.effectiveAssignment(*m);
        entries.append({ *m, assignment ? describeAssigned(assignment->image) : QString(), catalog.inventory(name) });
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
    }
    html += QStringLiteral("</body></html>\n");
    return html;
}

} // namespace drover
