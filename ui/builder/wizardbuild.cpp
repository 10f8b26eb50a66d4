// The wizard's build page: saves the recipe beside the data directory, runs the Builder and
// shows each stage's progress and time, the log and the elapsed time; cancel stops it. A
// published image's recipe moves to <data dir>/recipes/<name>; a failed build keeps the
// draft, so Back leads to the page to fix.
#include "builder/buildwizard.h"
#include "builder/wizardpages.h"
#include "lab/lab.h"

#include <QDir>
#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace drover {

namespace {

QString duration(qint64 ms)
{
    const qint64 s = ms / 1000;
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

BuildPage::BuildPage(QWidget *parent)
    : QWizardPage(parent)
    , m_log(new QPlainTextEdit(this))
    , m_elapsed(new QLabel(this))
    , m_status(new QLabel(this))
    , m_cancel(new QPushButton(tr("&Cancel Build"), this))
    , m_timer(new QTimer(this))
{
    setTitle(tr("Build"));
    setFinalPage(true);
    auto *grid = new QGridLayout;
    int row = 0;
    for (const QString &stage : Builder::stageNames()) {
        auto *bar = new QProgressBar(this);
        bar->setObjectName(QStringLiteral("stage-") + stage);
        bar->setRange(0, 100);
        bar->setValue(0);
        auto *time = new QLabel(this);
        time->setMinimumWidth(140);
        grid->addWidget(new QLabel(Builder::stageTitle(stage), this), row, 0);
        grid->addWidget(bar, row, 1);
        grid->addWidget(time, row, 2);
        m_bars.insert(stage, bar);
        m_times.insert(stage, time);
        ++row;
    }
    grid->setColumnStretch(1, 1);
    m_log->setObjectName(QStringLiteral("buildLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setToolTip(tr("What the build does; the last 5000 lines"));
    m_status->setObjectName(QStringLiteral("buildStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cancel->setToolTip(tr("Stop the build; nothing is published and the caches stay valid"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &BuildPage::cancel);
    m_timer->setInterval(500);
    connect(m_timer, &QTimer::timeout, this, &BuildPage::tick);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_elapsed, 1);
    bottom->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(grid);
    layout->addWidget(m_log, 1);
    layout->addWidget(m_status);
    layout->addLayout(bottom);
}

BuildPage::~BuildPage() = default;

BuildWizard *BuildPage::buildWizard() const
{
    return qobject_cast<BuildWizard *>(wizard());
}

bool BuildPage::isBuilding() const
{
    return m_builder && m_builder->isRunning();
}

QProgressBar *BuildPage::stageBar(const QString &stage) const
{
    return m_bars.value(stage);
}

bool BuildPage::isComplete() const
{
    return m_succeeded;
}

void BuildPage::initializePage()
{
    BuildWizard *w = buildWizard();
    m_succeeded = false;
    m_report = {};
    m_log->clear();
    m_status->clear();
    m_elapsed->clear();
    for (QProgressBar *bar : std::as_const(m_bars)) {
        bar->setRange(0, 100);
        bar->setValue(0);
    }
    for (QLabel *time : std::as_const(m_times))
        time->clear();
    m_stageClocks.clear();
    const RecipeDraft &draft = w->draft();
    const QString name = draft.recipe.name;
    setSubTitle(
        draft.recipe.version.isEmpty() ? tr("Building %1").arg(name) : tr("Building %1").arg(draft.recipe.tag()));
    auto fail = [this](const QString &text) {
        m_status->setText(text);
        Q_EMIT buildFinished(false);
    };

    // The build reads the recipe as a file, like drover build; it is staged beside the
    // recipes kept for reopening and takes their place only once published.
    const QString recipes = QDir(w->lab()->dataDir()).filePath(QStringLiteral("recipes"));
    m_stagingDir = QDir(recipes).filePath(QStringLiteral(".building-") + name);
    m_recipeDir = recipeDirFor(w->lab()->dataDir(), name);
    if (Status s = draft.save(m_stagingDir); !s)
        return fail(tr("Cannot save the recipe: %1").arg(s.error()));
    auto recipe = loadRecipe(QDir(m_stagingDir).filePath(QStringLiteral("recipe.json")));
    if (!recipe)
        return fail(recipe.error());

    if (!m_builder) {
        m_builder = new Builder(w->lab(), this);
        connect(m_builder, &Builder::stageStarted, this, [this](const QString &stage) {
            m_stageClocks[stage].start();
            if (QProgressBar *bar = m_bars.value(stage))
                bar->setValue(0);
        });
        connect(m_builder, &Builder::stageProgress, this, [this](const QString &stage, int percent) {
            QProgressBar *bar = m_bars.value(stage);
            if (!bar)
                return;
            if (percent < 0) {
                bar->setRange(0, 0); // busy
            } else {
                bar->setRange(0, 100);
                bar->setValue(percent);
            }
        });
        connect(m_builder, &Builder::stageFinished, this, [this](const StageReport &report) {
            if (QProgressBar *bar = m_bars.value(report.name)) {
                bar->setRange(0, 100);
                bar->setValue(100);
            }
            m_stageClocks.remove(report.name);
            QString text = tr("%1 s").arg(report.seconds, 0, 'f', 1);
            if (report.bytes > 0)
                text += QStringLiteral(", ") + QLocale().formattedDataSize(report.bytes);
            if (report.cached)
                text += QLatin1Char(' ') + tr("(cached)");
            if (QLabel *time = m_times.value(report.name))
                time->setText(text);
        });
        connect(m_builder, &Builder::logLine, this, [this](const QString &stage, const QString &line) {
            m_log->appendPlainText(QStringLiteral("%1: %2").arg(stage, line));
        });
        connect(m_builder, &Builder::finished, this, &BuildPage::finished);
    }
    if (!m_builder->start(*recipe, w->buildOptions()))
        return fail(tr("The build could not start: another build is running."));
    m_clock.start();
    m_timer->start();
    m_cancel->setEnabled(true);
    m_cancel->setFocus();
    // No way Back while building: the review page counts as committed until the end.
    w->page(BuildWizard::Review)->setCommitPage(true);
    Q_EMIT completeChanged();
}

void BuildPage::cleanupPage()
{
    m_status->clear();
}

void BuildPage::cancel()
{
    if (!isBuilding())
        return;
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling…"));
    m_builder->cancel();
}

void BuildPage::tick()
{
    m_elapsed->setText(tr("Elapsed: %1").arg(duration(m_clock.elapsed())));
    for (auto it = m_stageClocks.cbegin(); it != m_stageClocks.cend(); ++it) {
        if (QLabel *time = m_times.value(it.key()))
            time->setText(tr("%1 s…").arg(it.value().elapsed() / 1000));
    }
}

void BuildPage::finished(const BuildReport &report)
{
    BuildWizard *w = buildWizard();
    m_report = report;
    m_timer->stop();
    tick();
    m_stageClocks.clear();
    m_cancel->setEnabled(false);
    w->page(BuildWizard::Review)->setCommitPage(false);
    for (QProgressBar *bar : std::as_const(m_bars)) {
        if (bar->maximum() == 0) // a busy bar of the stage that stopped
            bar->setRange(0, 100);
    }
    if (report.ok) {
        QDir(m_recipeDir).removeRecursively();
        const bool kept = QDir().rename(m_stagingDir, m_recipeDir);
        m_succeeded = true;
        QString text = tr("Published %1 in %2 s.").arg(report.tag).arg(report.seconds, 0, 'f', 1);
        text += QLatin1Char(' ')
            + (kept ? tr("The recipe is kept in %1 for the next version.").arg(m_recipeDir)
                    : tr("The recipe could not be kept in %1.").arg(m_recipeDir));
        m_status->setText(text);
        Q_EMIT completeChanged();
        Q_EMIT w->imageBuilt(report.tag);
    } else {
        QDir(m_stagingDir).removeRecursively();
        m_status->setText(report.cancelled
                ? tr("Cancelled: nothing was published. Back leads to the recipe.")
                : tr("The build failed: %1\n\nNothing was published. Back leads to the recipe to fix it.")
                      .arg(report.error));
        Q_EMIT completeChanged();
    }
    Q_EMIT buildFinished(report.ok);
}

} // namespace drover
