#include "lab/lab.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

namespace drover {

Lab::Lab(QObject *parent)
    : QObject(parent)
    , m_log(new LogBus(this))
{ }

Lab::~Lab() = default;

QString Lab::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/drover");
}

QString Lab::storeDir() const
{
    return m_dataDir + QStringLiteral("/store");
}

Result<std::unique_ptr<Lab>> Lab::open(const LabOptions &options, QObject *parent)
{
    std::unique_ptr<Lab> lab(new Lab(parent));
    lab->m_dataDir
        = QDir::cleanPath(QDir(options.dataDir.isEmpty() ? defaultDataDir() : options.dataDir).absolutePath());
    if (!QDir().mkpath(lab->m_dataDir))
        return Result<std::unique_ptr<Lab>>::failure(
            QCoreApplication::translate("drover::Lab", "cannot create the data directory %1").arg(lab->m_dataDir));
    const QString url
        = options.catalogUrl.isEmpty() ? lab->m_dataDir + QStringLiteral("/catalog.sqlite") : options.catalogUrl;
    auto catalog = Catalog::open(url, nullptr);
    if (!catalog)
        return Result<std::unique_ptr<Lab>>::failure(catalog.error());
    lab->m_catalog = std::move(catalog).value();
    return lab;
}

} // namespace drover
