#include "boot/boottoken.h"

#include "catalog/catalog.h"

#include <QCoreApplication>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSaveFile>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(BootTokens)
};

const QString kSecretKey = QStringLiteral("boot/secret");

bool isLowerHex(const QString &text, qsizetype size)
{
    if (text.size() != size)
        return false;
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f')))
            return false;
    }
    return true;
}

} // namespace

BootTokens::BootTokens(QByteArray secret)
    : m_secret(std::move(secret))
{ }

QString BootTokens::secretPath(const QString &dataDir)
{
    return dataDir + QStringLiteral("/boot-secret");
}

Result<QByteArray> BootTokens::loadOrCreateSecret(Catalog *catalog, const QString &dataDir)
{
    using R = Result<QByteArray>;
    const QString path = secretPath(dataDir);
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return R::failure(Text::tr("cannot read %1: %2").arg(path, file.errorString()));
        const QByteArray secret = QByteArray::fromHex(file.readAll().trimmed());
        if (secret.size() < 32)
            return R::failure(Text::tr("%1 holds no key of 64 hex digits").arg(path));
        // Kept private even if someone loosened it.
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return secret;
    }
    QByteArray secret = QByteArray::fromHex(catalog->setting(kSecretKey).toLatin1());
    const bool fromCatalog = secret.size() >= 32;
    if (!fromCatalog) {
        secret = QByteArray(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(secret.data()), secret.size() / 4);
    }
    // Written 0600 from the start (umask or not), then renamed into place.
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return R::failure(Text::tr("cannot create %1: %2").arg(path, out.errorString()));
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(secret.toHex() + '\n');
    if (!out.commit())
        return R::failure(Text::tr("cannot write %1: %2").arg(path, out.errorString()));
    if (fromCatalog) {
        if (Status s = catalog->setSetting(kSecretKey, QString()); !s)
            return R::failure(s.error());
    }
    return secret;
}

bool BootTokens::isBootId(const QString &text)
{
    return isLowerHex(text, 16);
}

bool BootTokens::isToken(const QString &text)
{
    return isLowerHex(text, 32);
}

QString BootTokens::tokenFor(const QString &bootId, const QString &mac) const
{
    const QByteArray message = "drover-boot-v1\n" + bootId.toLatin1() + '\n' + mac.toLower().toLatin1();
    return QString::fromLatin1(
        QMessageAuthenticationCode::hash(message, m_secret, QCryptographicHash::Sha256).toHex().left(32));
}

BootTokens::Issued BootTokens::issue(const QString &mac, const QDateTime &now) const
{
    const quint32 seconds = quint32(now.toSecsSinceEpoch());
    const quint32 random = QRandomGenerator::global()->generate();
    const QString id
        = QStringLiteral("%1%2").arg(seconds, 8, 16, QLatin1Char('0')).arg(random, 8, 16, QLatin1Char('0'));
    return Issued { id, tokenFor(id, mac) };
}

BootTokens::Check BootTokens::check(
    const QString &bootId, const QString &mac, const QString &token, const QDateTime &now) const
{
    if (!isBootId(bootId) || !isToken(token))
        return Check::Malformed;
    const QString expected = tokenFor(bootId, mac);
    // Compare every character, so the time taken says nothing about how much matched.
    char16_t diff = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        diff |= expected.at(i).unicode() ^ token.at(i).unicode();
    if (diff != 0)
        return Check::Forged;
    const qint64 issued = bootId.left(8).toLongLong(nullptr, 16);
    const qint64 age = now.toSecsSinceEpoch() - issued;
    if (age > kLifetimeSeconds || age < -300)
        return Check::Expired;
    return Check::Valid;
}

} // namespace drover
