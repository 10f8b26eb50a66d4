#include "builder/aptsources.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(AptSources)
};

struct Source {
    QString uri;
    QStringList suites;
};

bool usable(const Source &s)
{
    static const QRegularExpression scheme(QStringLiteral("^(https?|file)://\\S+\\z"));
    if (!scheme.match(s.uri).hasMatch())
        return false;
    for (const QString &suite : s.suites) {
        if (suite.endsWith(QLatin1String("-security")) || suite.endsWith(QLatin1String("/updates"))
            || suite.endsWith(QLatin1String("-backports")))
            return false;
    }
    return !s.uri.contains(QLatin1String("security"));
}

QList<Source> parseOneLine(const QString &text)
{
    QList<Source> out;
    for (QString line : text.split(QLatin1Char('\n'))) {
        line = line.section(QLatin1Char('#'), 0, 0).trimmed();
        if (!line.startsWith(QLatin1String("deb ")) && !line.startsWith(QLatin1String("deb\t")))
            continue;
        line = line.mid(4).trimmed();
        if (line.startsWith(QLatin1Char('['))) { // options: [arch=amd64 signed-by=…]
            const qsizetype close = line.indexOf(QLatin1Char(']'));
            if (close < 0)
                continue;
            line = line.mid(close + 1).trimmed();
        }
        const QStringList words = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        if (words.size() >= 2)
            out.append({ words[0], { words[1] } });
    }
    return out;
}

QList<Source> parseDeb822(const QString &text)
{
    QList<Source> out;
    // Stanzas are separated by blank lines; fields may continue on indented lines.
    for (const QString &stanza : text.split(QRegularExpression(QStringLiteral("\\n\\s*\\n")))) {
        QHash<QString, QString> fields;
        QString last;
        for (const QString &raw : stanza.split(QLatin1Char('\n'))) {
            if (raw.startsWith(QLatin1Char('#')))
                continue;
            if ((raw.startsWith(QLatin1Char(' ')) || raw.startsWith(QLatin1Char('\t'))) && !last.isEmpty()) {
                fields[last] += QLatin1Char(' ') + raw.trimmed();
                continue;
            }
            const qsizetype colon = raw.indexOf(QLatin1Char(':'));
            if (colon <= 0)
                continue;
            last = raw.left(colon).trimmed().toLower();
            fields.insert(last, raw.mid(colon + 1).trimmed());
        }
        const QStringList types = fields.value(QStringLiteral("types")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (!types.contains(QLatin1String("deb")))
            continue;
        if (fields.value(QStringLiteral("enabled")).compare(QLatin1String("no"), Qt::CaseInsensitive) == 0)
            continue;
        const QStringList suites = fields.value(QStringLiteral("suites")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (const QString &uri : fields.value(QStringLiteral("uris")).split(QLatin1Char(' '), Qt::SkipEmptyParts))
            out.append({ uri, suites });
    }
    return out;
}

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

std::optional<QString> mirrorFromAptSources(const AptSourcesText &text)
{
    QList<Source> sources;
    for (const QString &file : text.deb822)
        sources += parseDeb822(file);
    sources += parseOneLine(text.sourcesList);
    for (Source &s : sources) {
        if (!usable(s))
            continue;
        while (s.uri.endsWith(QLatin1Char('/')))
            s.uri.chop(1);
        return s.uri;
    }
    return std::nullopt;
}

std::optional<QString> hostMirror(const QString &etcApt)
{
    AptSourcesText text;
    text.sourcesList = readText(etcApt + QStringLiteral("/sources.list"));
    const QDir dir(etcApt + QStringLiteral("/sources.list.d"));
    for (const QString &name : dir.entryList({ QStringLiteral("*.list") }, QDir::Files, QDir::Name))
        text.sourcesList += QLatin1Char('\n') + readText(dir.filePath(name));
    for (const QString &name : dir.entryList({ QStringLiteral("*.sources") }, QDir::Files, QDir::Name))
        text.deb822.append(readText(dir.filePath(name)));
    return mirrorFromAptSources(text);
}

Result<QByteArray> fetchRelease(const QString &mirror, const QString &suite, const std::atomic_bool &cancel)
{
    using R = Result<QByteArray>;
    const QUrl url(mirror + QStringLiteral("/dists/") + suite + QStringLiteral("/InRelease"));
    if (url.isLocalFile()) {
        QFile f(url.toLocalFile());
        if (!f.open(QIODevice::ReadOnly))
            return R::failure(Text::tr("cannot read %1: %2").arg(f.fileName(), f.errorString()));
        return f.readAll();
    }
    // Runs on the build's worker thread: a local event loop, polled for cancellation.
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setTransferTimeout(30000);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    std::unique_ptr<QNetworkReply> reply(manager.get(request));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.load())
            reply->abort();
    });
    poll.start(100);
    if (!reply->isFinished())
        loop.exec();
    if (cancel.load())
        return R::failure(Text::tr("cancelled"));
    if (reply->error() != QNetworkReply::NoError)
        return R::failure(
            Text::tr("cannot fetch the %1 release file from the mirror: %2").arg(suite, reply->errorString()));
    const QByteArray body = reply->readAll();
    if (!body.contains("\nSuite:") && !body.contains("\nCodename:"))
        return R::failure(Text::tr("the mirror's %1 release file is not an apt Release file").arg(suite));
    return body;
}

QDateTime releaseDate(const QByteArray &release)
{
    for (const QByteArray &line : release.split('\n')) {
        if (line.startsWith("Date:"))
            return QDateTime::fromString(
                QString::fromLatin1(line.mid(5).trimmed()).replace(QLatin1String("UTC"), QLatin1String("+0000")),
                Qt::RFC2822Date);
    }
    return {};
}

} // namespace drover
