#include "lab/lab.h"

#include "catalog/sqlitefiles.h"
#include "util/secretbox.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <cerrno>

#include <sys/stat.h>

namespace drover {

Lab::Lab(QObject *parent)
    : QObject(parent)
    , m_log(new LogBus(this))
{ }

Lab::~Lab()
{
    if (m_catalog)
        SecretBox::unregister(m_catalog.get());
}

QString Lab::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/drover");
}

QString Lab::storeDir() const
{
    return m_dataDir + QStringLiteral("/store");
}

void Lab::note(const QString &text)
{
    // Said on stderr too: Lab::open runs before anything listens to the log bus.
    qWarning("%s", qPrintable(text));
    m_log->post(Severity::Warning, QStringLiteral("security"), text);
}

Result<std::unique_ptr<Lab>> Lab::open(const LabOptions &options, QObject *parent)
{
    std::unique_ptr<Lab> lab(new Lab(parent));
    lab->m_dataDir
        = QDir::cleanPath(QDir(options.dataDir.isEmpty() ? defaultDataDir() : options.dataDir).absolutePath());
    const bool existed = QFileInfo::exists(lab->m_dataDir);
    if (!QDir().mkpath(lab->m_dataDir))
        return Result<std::unique_ptr<Lab>>::failure(
            QCoreApplication::translate("drover::Lab", "cannot create the data directory %1").arg(lab->m_dataDir));
    // The catalog, the key file and the images are the lab's secrets: only their owner may
    // look inside. A directory made by an older Drover (default umask) is tightened.
    const QByteArray native = QFile::encodeName(lab->m_dataDir);
    struct stat st {};
    if (::stat(native.constData(), &st) == 0 && (st.st_mode & 077) != 0) {
        if (::chmod(native.constData(), 0700) != 0) {
            const int error = errno;
            return Result<std::unique_ptr<Lab>>::failure(
                QCoreApplication::translate("drover::Lab", "cannot make the data directory %1 private (mode 0700): %2")
                    .arg(lab->m_dataDir, qt_error_string(error)));
        }
        if (existed)
            lab->note(QCoreApplication::translate(
                "drover::Lab", "the data directory %1 was open to other users (mode %2); now 0700")
                    .arg(lab->m_dataDir, QString::number(st.st_mode & 0777, 8)));
    }
    const QString url
        = options.catalogUrl.isEmpty() ? lab->m_dataDir + QStringLiteral("/catalog.sqlite") : options.catalogUrl;
    if (const QString file = sqliteCatalogPath(url); !file.isEmpty()) {
        auto notes = makeSqliteFilesPrivate(file);
        if (!notes)
            return Result<std::unique_ptr<Lab>>::failure(notes.error());
        for (const QString &note : std::as_const(*notes))
            lab->note(note);
    }
    auto catalog = Catalog::open(url, nullptr);
    if (!catalog)
        return Result<std::unique_ptr<Lab>>::failure(catalog.error());
    lab->m_catalog = std::move(catalog).value();
    // BMC passwords in the catalog are sealed with a key that is not in the catalog.
    QString keyNote;
    auto box = SecretBox::openKeyFile(lab->m_dataDir + QStringLiteral("/secrets.key"), &keyNote);
    if (!box)
        return Result<std::unique_ptr<Lab>>::failure(box.error());
    if (!keyNote.isEmpty())
        lab->note(keyNote);
    SecretBox::registerFor(lab->m_catalog.get(), *box);
    return lab;
}

} // namespace drover
