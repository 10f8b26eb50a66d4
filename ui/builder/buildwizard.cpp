// BuildWizard: the pages, the shared draft and package lists, and closing during a build.
#include "builder/buildwizard.h"

#include "builder/wizardpages.h"
#include "lab/lab.h"

#include <QFutureWatcher>
#include <QMessageBox>
#include <QtConcurrent>

namespace drover {

BuildWizard::BuildWizard(Lab *lab, QWidget *parent)
    : QWizard(parent)
    , m_lab(lab)
    , m_confirm([this](const QString &title, const QString &text) {
        return QMessageBox::question(this, title, text) == QMessageBox::Yes;
    })
    , m_start(new StartPage(this))
    , m_packages(new PackagesPage(this))
    , m_review(new ReviewPage(this))
    , m_build(new BuildPage(this))
{
    setObjectName(QStringLiteral("buildWizard"));
    setWindowTitle(tr("New Image"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::HaveHelpButton, false);
    setPage(Start, m_start);
    setPage(Base, new BasePage(this));
    setPage(Packages, m_packages);
    setPage(Files, new FilesPage(this));
    setPage(Users, new UsersPage(this));
    setPage(Boot, new BootPage(this));
    setPage(Review, m_review);
    setPage(Build, m_build);
    setStartId(Start);
    resize(900, 680);
    if (auto draft = RecipeDraft::fromTemplate(RecipeDraft::templateNames().constFirst()))
        m_draft = *draft;
}

BuildWizard::~BuildWizard()
{
    if (m_indexWatcher)
        m_indexWatcher->waitForFinished();
}

void BuildWizard::setDraft(const RecipeDraft &draft)
{
    m_draft = draft;
    setWindowTitle(tr("New Image — from %1").arg(draft.origin));
}

std::shared_ptr<const PackageIndex> BuildWizard::packageIndex()
{
    const QString suite = m_draft.recipe.suite;
    if (m_index && m_indexSuite == suite)
        return m_index;
    if (m_indexWatcher && m_indexSuite == suite)
        return nullptr; // still loading
    if (m_indexWatcher) {
        // Another suite was chosen meanwhile: let the old load finish unseen.
        m_indexWatcher->disconnect(this);
        connect(m_indexWatcher, &QFutureWatcher<PackageIndex>::finished, m_indexWatcher, &QObject::deleteLater);
    }
    m_index.reset();
    m_indexSuite = suite;
    m_indexWatcher = new QFutureWatcher<PackageIndex>(this);
    connect(m_indexWatcher, &QFutureWatcher<PackageIndex>::finished, this, [this] {
        m_index = std::make_shared<const PackageIndex>(m_indexWatcher->result());
        m_indexWatcher->deleteLater();
        m_indexWatcher = nullptr;
        Q_EMIT packageIndexReady();
    });
    m_indexWatcher->setFuture(QtConcurrent::run([dir = m_listsDir, suite, arch = m_draft.recipe.architecture] {
        return PackageIndex::load(dir, suite, arch);
    }));
    return nullptr;
}

void BuildWizard::startFromImage(const QString &tag)
{
    m_start->chooseImage(tag);
    if (currentId() != Start)
        restart();
    next();
}

void BuildWizard::reject()
{
    if (m_build->isBuilding()) {
        if (!m_confirm(tr("Cancel Build"), tr("An image is being built. Cancel the build and close?")))
            return;
        // Closed once the builder has stopped and cleaned up (nothing is published).
        connect(m_build, &BuildPage::buildFinished, this, [this] { QWizard::reject(); }, Qt::SingleShotConnection);
        m_build->cancel();
        return;
    }
    QWizard::reject();
}

} // namespace drover
