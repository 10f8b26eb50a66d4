#include "cli/cli.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
