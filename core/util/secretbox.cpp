#include "util/secretbox.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMessageAuthenticationCode>
#include <QMutex>
#include <QRandomGenerator>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(SecretBox)
};

constexpr auto kPrefix = "sealed:v1:";
constexpr qsizetype kKeySize = 32;
constexpr qsizetype kNonceSize = 16;
constexpr qsizetype kTagSize = 32;

QByteArray hmac(const QByteArray &key, const QByteArray &data)
{
    return QMessageAuthenticationCode::hash(data, key, QCryptographicHash::Sha256);
}

// Compares without an early exit, so the time taken does not tell how much of a tag matched.
bool sameBytes(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

QMutex registryLock;
QHash<const QObject *, std::shared_ptr<const SecretBox>> &registry()
{
    static QHash<const QObject *, std::shared_ptr<const SecretBox>> boxes;
    return boxes;
}

} // namespace

SecretBox::SecretBox(QByteArray key)
    : m_encKey(hmac(key, QByteArrayLiteral("drover secretbox encryption")))
    , m_macKey(hmac(key, QByteArrayLiteral("drover secretbox authentication")))
{ }

namespace {

// Writes a new key to a private temporary file beside `path` and links it to `path` only once
// it is whole and on disk: a process killed at any point leaves either no key file or a whole
// one, never the empty file a kill between create and write used to leave (and that then
// refused every later start). link() fails with EEXIST when another process won the race, and
// that process's key is the one to use. Returns the key, an empty array when `path` exists,
// or an error.
Result<QByteArray> createKeyFile(const QString &path)
{
    using R = Result<QByteArray>;
    QByteArray key(kKeySize, Qt::Uninitialized);
    QRandomGenerator::system()->generate(key.begin(), key.end());
    const QByteArray native = QFile::encodeName(path);
    const QByteArray temporary = native + ".new-" + QByteArray::number(::getpid()) + '-'
        + QByteArray::number(QRandomGenerator::system()->generate());
    // O_EXCL and mode 0600 at once: never a moment in which others could read it.
    const int fd = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int error = errno;
        return R::failure(Text::tr("secrets: cannot create the key file %1: %2").arg(path, qt_error_string(error)));
    }
    const bool written = ::write(fd, key.constData(), size_t(key.size())) == key.size() && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
        const int error = errno;
        ::unlink(temporary.constData());
        return R::failure(Text::tr("secrets: cannot write the key file %1: %2").arg(path, qt_error_string(error)));
    }
    const int linked = ::link(temporary.constData(), native.constData());
    const int linkError = errno;
    ::unlink(temporary.constData());
    if (linked != 0 && linkError == EEXIST)
        return QByteArray();
    if (linked != 0)
        return R::failure(Text::tr("secrets: cannot create the key file %1: %2").arg(path, qt_error_string(linkError)));
    // The new name must survive a power cut as well as the bytes behind it.
    const QByteArray directory = QFile::encodeName(QFileInfo(path).absolutePath());
    if (const int dirFd = ::open(directory.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return key;
}

} // namespace

Result<std::shared_ptr<const SecretBox>> SecretBox::openKeyFile(const QString &path, QString *note)
{
    using R = Result<std::shared_ptr<const SecretBox>>;
    const QByteArray native = QFile::encodeName(path);
    struct stat st {};
    if (::stat(native.constData(), &st) != 0) {
        if (const int error = errno; error != ENOENT)
            return R::failure(Text::tr("secrets: cannot read the key file %1: %2").arg(path, qt_error_string(error)));
        auto created = createKeyFile(path);
        if (!created)
            return R::failure(created.error());
        if (!created->isEmpty())
            return std::make_shared<const SecretBox>(*created);
        // Another process made it first: read theirs.
        if (::stat(native.constData(), &st) != 0) {
            const int error = errno;
            return R::failure(Text::tr("secrets: cannot read the key file %1: %2").arg(path, qt_error_string(error)));
        }
    }
    if ((st.st_mode & 077) != 0) {
        if (::chmod(native.constData(), 0600) != 0) {
            const int error = errno;
            return R::failure(Text::tr("secrets: the key file %1 is readable by others and cannot be made private: %2")
                    .arg(path, qt_error_string(error)));
        }
        if (note)
            *note = Text::tr("the key file %1 was readable by others (mode %2); now 0600")
                        .arg(path, QString::number(st.st_mode & 0777, 8));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(Text::tr("secrets: cannot read the key file %1: %2").arg(path, file.errorString()));
    const QByteArray key = file.readAll();
    if (key.size() != kKeySize)
        return R::failure(Text::tr("secrets: the key file %1 holds %2 bytes, not %3 — it is damaged; if no BMC "
                                   "password was saved yet, remove it and Drover makes a new one")
                .arg(path)
                .arg(key.size())
                .arg(kKeySize));
    return std::make_shared<const SecretBox>(key);
}

QByteArray SecretBox::keystream(const QByteArray &nonce, qsizetype size) const
{
    QByteArray stream;
    for (quint32 counter = 0; stream.size() < size; ++counter) {
        QByteArray block = nonce;
        for (int shift = 24; shift >= 0; shift -= 8)
            block.append(char((counter >> shift) & 0xff));
        stream += hmac(m_encKey, block);
    }
    return stream.left(size);
}

QString SecretBox::seal(const QString &secret) const
{
    QByteArray nonce(kNonceSize, Qt::Uninitialized);
    QRandomGenerator::system()->generate(nonce.begin(), nonce.end());
    QByteArray data = secret.toUtf8();
    const QByteArray stream = keystream(nonce, data.size());
    for (qsizetype i = 0; i < data.size(); ++i)
        data[i] = char(data.at(i) ^ stream.at(i));
    const QByteArray body = nonce + data;
    const QByteArray sealed = body + hmac(m_macKey, body);
    return QLatin1String(kPrefix) + QString::fromLatin1(sealed.toBase64());
}

Result<QString> SecretBox::unseal(const QString &sealed) const
{
    if (!isSealed(sealed))
        return Result<QString>::failure(Text::tr("secrets: not a sealed secret"));
    const QByteArray raw = QByteArray::fromBase64(sealed.mid(int(qstrlen(kPrefix))).toLatin1());
    if (raw.size() < kNonceSize + kTagSize)
        return Result<QString>::failure(Text::tr("secrets: a sealed secret is too short"));
    const QByteArray body = raw.left(raw.size() - kTagSize);
    if (!sameBytes(hmac(m_macKey, body), raw.right(kTagSize)))
        return Result<QString>::failure(Text::tr(
            "secrets: a sealed secret does not match the key file (another data directory's key, or changed)"));
    QByteArray data = body.mid(kNonceSize);
    const QByteArray stream = keystream(body.left(kNonceSize), data.size());
    for (qsizetype i = 0; i < data.size(); ++i)
        data[i] = char(data.at(i) ^ stream.at(i));
    return QString::fromUtf8(data);
}

bool SecretBox::isSealed(const QString &text)
{
    return text.startsWith(QLatin1String(kPrefix));
}

void SecretBox::registerFor(const QObject *owner, std::shared_ptr<const SecretBox> box)
{
    QMutexLocker lock(&registryLock);
    registry().insert(owner, box); // QHash::insert copies: a move would not happen
}

void SecretBox::unregister(const QObject *owner)
{
    QMutexLocker lock(&registryLock);
    registry().remove(owner);
}

std::shared_ptr<const SecretBox> SecretBox::of(const QObject *owner)
{
    QMutexLocker lock(&registryLock);
    return registry().value(owner);
}

} // namespace drover
