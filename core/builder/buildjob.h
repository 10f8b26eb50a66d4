// BuildJob: one build on the worker thread — the state the stages share and the stages
// themselves (bootstrapstage.cpp, basestage.cpp, topstage.cpp, bootstage.cpp). Private to
// core/builder; the Builder owns it and publishes its result.
#pragma once

#include "builder/buildcache.h"
#include "builder/builder.h"
#include "builder/childprocess.h"
#include "builder/recipe.h"
#include "store/blobstore.h"

#include <QElapsedTimer>
#include <QProcessEnvironment>

#include <atomic>
#include <functional>

namespace drover {

class BuildJob {
    Q_DISABLE_COPY_MOVE(BuildJob)
public:
    BuildJob(Builder *builder, Recipe recipe, BuildOptions options, QString storeDir, QString cacheDir,
        const std::atomic_bool &cancel);
    ~BuildJob();

    // Runs every stage up to (not including) the catalog publish; on the worker thread.
    void run();

    BuildReport report;
    Manifest manifest; // complete when readyToPublish
    bool readyToPublish = false;
    QString recipeJson;

    // Drover's init modules when the init script names none.
    static QStringList defaultInitModules(const QString &layerType);
    // NIC drivers every initramfs carries (the init loads them by modalias).
    static QStringList nicModules();
    // Modules an init script asks for: "# drover-modules: a b c" lines, else its
    // ": ${DROVER_MODULES:=a b c}" default (empty: none found).
    static QStringList modulesNamedBy(const QByteArray &initScript);
    // Turns apt's complaint about a package into a message naming it and the suite.
    static QString explainAptFailure(const QStringList &lines, const QString &suite, const QStringList &components);

private:
    using Work = std::function<Status()>;
    Status stage(const QString &name, const Work &work);
    void log(const QString &line);
    void progress(int percent);
    bool cancelled() const { return m_cancel.load(); }
    Status cancelledStatus() const;
    // Runs a tool, logging its output; the failure names the tool and its last lines.
    Status tool(const QString &program, const QStringList &args, ProcessOutcome *outcome = nullptr,
        const std::function<void(const QString &)> &onLine = {}, const QProcessEnvironment *environment = nullptr);
    QProcessEnvironment toolEnvironment() const;

    // Stages and their parts.
    Status prepare();
    Status lookUpBase(const QJsonObject &partial);
    Status bootstrap();
    Status importRootfs();
    Status importOci(const QString &path);
    Status unpackIntoRoot(const QString &archive, bool skipWhiteouts);
    Status applyWhiteouts(const QString &layer, int *removed);
    Status addKernelPackage();
    Status addKernelFromImage();
    Status installKernelFrom(const QString &dir, const QString &what, bool copy);
    QJsonObject kernelSource() const;
    Status readDpkgPackages();
    Status readUnpackedList(const QString &listFile, const QString &prefix);
    QStringList mmdebstrapArguments() const;
    Status cleanBootstrapRoot();
    Status buildBase();
    Status pruneModules(const QString &moduleDir);
    Status makeLayer(const QString &source, const QString &out, bool topLayer);
    Status storeKernel();
    Status buildTop();
    Status installDroverUnits(const QString &root);
    Status installBusyboxStart(const QString &root, const QString &dir);
    static bool hasSysvinit(const QString &root);
    static bool hasBusyboxInit(const QString &root);
    Status installSysvinitScripts(const QString &root, const QString &dir);
    Status runScripts(const QString &root); // then changeServices, in the same chroot setup
    Status runInChroot(const QString &root, const QStringList &command, const QString &what);
    Status changeServices(const QString &root);
    Status buildInitramfs();
    Status addBootEntries(class InitramfsImage &image, const QString &view);
    Status publishBlobs();

    Builder *m_builder;
    Recipe m_recipe;
    BuildOptions m_options;
    const std::atomic_bool &m_cancel;
    BlobStore m_store;
    BuildCache m_cache;

    QString m_stage;
    StageReport m_current;
    QString m_workDir;
    QString m_rootDir; // the bootstrapped tree, on a cache miss
    QString m_mirror;
    QByteArray m_release;
    qint64 m_sde = 0;
    QString m_baseKey;
    QString m_partialKey;
    QStringList m_initModules;
    QByteArray m_initScript;
    BaseCacheEntry m_base;
    bool m_baseCached = false;
    Digest m_kernelImage; // the manifest of from.kernelImage
    QString m_kernelFile;
    QString m_baseFile; // the base layer when built now; else the store's blob
    QString m_topFile;
    QString m_initrdFile;
    LayerRef m_top;
    BlobRef m_initrd;
    QJsonObject m_packages;

public:
    StageReport publishStage; // the worker's part of publishing; Builder finishes it
};

} // namespace drover
