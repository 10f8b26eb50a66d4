#include "cli/cli.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <memory>

#include <unistd.h>

namespace drover {

QList<Verb> allVerbs()
{
    QList<Verb> verbs;
    verbs += machineVerbs();
    verbs += assignVerbs();
    verbs += eventVerbs();
    verbs += imageVerbs();
    verbs += imageTestVerbs();
    verbs += isoVerbs();
    verbs += inventoryVerbs();
    verbs += testVerbs();
    verbs += buildVerbs();
    verbs += configVerbs();
    verbs += powerVerbs();
    verbs += rolloutVerbs();
    verbs += vmVerbs();
    return verbs;
}

const Verb *findVerb(const QList<Verb> &verbs, const QStringList &args)
{
    const Verb *best = nullptr;
    for (const Verb &verb : verbs) {
        if (args.size() < verb.words.size())
            continue;
        if (args.mid(0, verb.words.size()) == verb.words && (!best || verb.words.size() > best->words.size()))
            best = &verb;
    }
    return best;
}

QString verbHelp(const QList<Verb> &verbs)
{
    QString text;
    for (const Verb &verb : verbs) {
        const QString usage = verb.words.join(QLatin1Char(' ')) + QLatin1Char(' ') + verb.synopsis;
        text += QStringLiteral("  %1\n      %2\n").arg(usage.trimmed(), verb.summary);
    }
    return text;
}

std::optional<int> parseVerbArgs(
    CliContext &ctx, const Verb &verb, QCommandLineParser &parser, int minPositional, int maxPositional)
{
    parser.addHelpOption();
    QStringList args = ctx.args.mid(verb.words.size());
    args.prepend(QStringLiteral("drover ") + verb.words.join(QLatin1Char(' ')));
    const QString usage = QCoreApplication::translate("drover::Cli", "usage: drover %1 %2")
                              .arg(verb.words.join(QLatin1Char(' ')), verb.synopsis);
    if (!parser.parse(args)) {
        ctx.err << "drover: " << parser.errorText() << '\n' << usage << Qt::endl;
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        ctx.out << usage << "\n"
                << verb.summary << "\n\n"
                << parser.helpText().section(QLatin1Char('\n'), 2) << Qt::flush;
        return ExitOk;
    }
    const qsizetype n = parser.positionalArguments().size();
    if (n < minPositional || (maxPositional >= 0 && n > maxPositional)) {
        ctx.err << QCoreApplication::translate("drover::Cli", "drover: wrong number of arguments") << '\n'
                << usage << Qt::endl;
        return ExitUsage;
    }
    return std::nullopt;
}

void printJson(CliContext &ctx, const QJsonValue &value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    ctx.out << doc.toJson(QJsonDocument::Indented) << Qt::flush;
}

void printTable(CliContext &ctx, const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : header)
        widths.append(h.size());
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = qMax(widths[i], row[i].size());
    }
    auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype i = 0; i < cells.size(); ++i)
            text += i + 1 < cells.size() ? cells[i].leftJustified(widths.value(i) + 2) : cells[i];
        ctx.out << text << '\n';
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
    ctx.out << Qt::flush;
}

int fail(CliContext &ctx, const QString &message)
{
    ctx.err << "drover: " << message << Qt::endl;
    return ExitError;
}

int usageError(CliContext &ctx, const QString &message)
{
    ctx.err << message << Qt::endl;
    return ExitUsage;
}

int printResult(CliContext &ctx, const QJsonValue &json, const QString &text)
{
    if (ctx.json)
        printJson(ctx, json);
    else
        ctx.out << text << Qt::endl;
    return ExitOk;
}

void printField(CliContext &ctx, const QString &key, const QString &value)
{
    ctx.out << QString(key + QLatin1Char(':')).leftJustified(16) << value << '\n';
}

QString formatBytes(qint64 size)
{
    return QLocale().formattedDataSize(size, 1, QLocale::DataSizeTraditionalFormat);
}

std::function<bool(qint64, qint64)> percentPrinter(CliContext &ctx, const QString &what)
{
    if (ctx.json || !::isatty(STDERR_FILENO))
        return {};
    auto last = std::make_shared<int>(-1);
    return [&ctx, what, last](qint64 done, qint64 total) {
        const int percent = total > 0 ? int(done * 100 / total) : 100;
        if (percent != *last) {
            *last = percent;
            ctx.err << '\r' << what << ' ' << percent << '%' << (percent == 100 ? "\n" : "") << Qt::flush;
        }
        return true;
    };
}

void Listing::add(const QJsonObject &json, const QStringList &cells)
{
    m_json.append(json);
    m_rows.append(cells);
}

int Listing::print(CliContext &ctx, const QString &empty) const
{
    if (ctx.json)
        printJson(ctx, m_json);
    else if (m_rows.isEmpty() && !empty.isEmpty())
        ctx.out << empty << Qt::endl;
    else
        printTable(ctx, m_header, m_rows);
    return ExitOk;
}

int actOnMachines(CliContext &ctx, const Verb &verb, const std::function<Status(const QString &)> &act)
{
    QCommandLineParser p;
    if (auto code = parseVerbArgs(ctx, verb, p, 1, -1))
        return *code;
    for (const QString &name : p.positionalArguments()) {
        if (Status s = act(name); !s)
            return fail(ctx, s.error());
    }
    return ExitOk;
}

} // namespace drover
