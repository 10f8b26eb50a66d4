// BuildWizard: makes an image from a recipe without writing JSON. Pages: start (a shipped
// template, a catalog image's recipe for its next version, or a recipe file), base, packages
// (searched in the host's apt lists), files and scripts, users and keys, boot options,
// review (the JSON, the validator's findings, a size estimate) and build (a Builder with
// per-stage progress, a live log and cancel). A built image's recipe is kept in
// <data dir>/recipes/<name>/ so it can be reopened; the wizard says which tag it published.
#pragma once

#include "builder/builder.h"
#include "builder/packageindex.h"
#include "builder/recipedraft.h"

#include <QWizard>

#include <functional>
#include <memory>

template <typename T> class QFutureWatcher;

namespace drover {

class Lab;
class StartPage;
class BasePage;
class PackagesPage;
class FilesPage;
class UsersPage;
class BootPage;
class ReviewPage;
class BuildPage;

class BuildWizard final : public QWizard {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuildWizard)
public:
    enum PageId { Start, Base, Packages, Files, Users, Boot, Review, Build };

    explicit BuildWizard(Lab *lab, QWidget *parent = nullptr);
    ~BuildWizard() override;

    Lab *lab() const { return m_lab; }
    RecipeDraft &draft() { return m_draft; }
    const RecipeDraft &draft() const { return m_draft; }
    void setDraft(const RecipeDraft &draft);

    // Where the package search reads apt's lists; tests point it at a fixture.
    void setPackageListsDir(const QString &dir) { m_listsDir = dir; }
    // The package lists for the draft's suite, loading them on a worker thread when needed;
    // null until packageIndexReady().
    std::shared_ptr<const PackageIndex> packageIndex();

    // Options for the Builder (cache directories); tests share the build tests' caches.
    void setBuildOptions(const BuildOptions &options) { m_buildOptions = options; }
    BuildOptions buildOptions() const { return m_buildOptions; }
    // Asked before closing during a build; true to cancel it. Tests replace the dialog.
    void setConfirm(std::function<bool(const QString &title, const QString &text)> confirm)
    {
        m_confirm = std::move(confirm);
    }

    // Opens the wizard on `tag`'s recipe with the next version, at the base page.
    void startFromImage(const QString &tag);

    StartPage *startPage() const { return m_start; }
    PackagesPage *packagesPage() const { return m_packages; }
    ReviewPage *reviewPage() const { return m_review; }
    BuildPage *buildPage() const { return m_build; }

public Q_SLOTS:
    void reject() override;

Q_SIGNALS:
    // A build finished and published `tag`.
    void imageBuilt(const QString &tag);
    void packageIndexReady();

private:
    Lab *m_lab;
    RecipeDraft m_draft;
    QString m_listsDir = PackageIndex::defaultListsDir();
    std::shared_ptr<const PackageIndex> m_index;
    QString m_indexSuite;
    QFutureWatcher<PackageIndex> *m_indexWatcher = nullptr;
    BuildOptions m_buildOptions;
    std::function<bool(const QString &, const QString &)> m_confirm;
    StartPage *m_start;
    PackagesPage *m_packages;
    ReviewPage *m_review;
    BuildPage *m_build;
};

} // namespace drover
