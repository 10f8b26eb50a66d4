// The wizard's review page: the recipe JSON as it will be saved, what the recipe's validator
// finds (with the field), and an estimate of the image's size from the package lists.
#include "builder/buildwizard.h"
#include "builder/wizardpages.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover {

ReviewPage::ReviewPage(QWidget *parent)
    : DraftPage(parent)
    , m_json(new QPlainTextEdit(this))
    , m_issues(new QTreeWidget(this))
    , m_estimate(new QLabel(this))
{
    setTitle(tr("Review"));
    setSubTitle(tr("The recipe as it will be saved. Build starts the build; Back changes the recipe."));
    setButtonText(QWizard::NextButton, tr("&Build"));
    m_json->setObjectName(QStringLiteral("recipeJson"));
    m_json->setReadOnly(true);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setToolTip(tr("Saved as recipe.json with its files and scripts; drover build can build it too"));
    m_issues->setObjectName(QStringLiteral("issues"));
    m_issues->setHeaderLabels({ tr("Field"), tr("Problem") });
    m_issues->setRootIsDecorated(false);
    m_issues->header()->setStretchLastSection(true);
    m_issues->setToolTip(tr("What the recipe's validator found; go Back to the page with the field"));
    m_estimate->setObjectName(QStringLiteral("estimate"));
    m_estimate->setWordWrap(true);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_json);
    split->addWidget(m_issues);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_estimate);
}

void ReviewPage::initializePage()
{
    BuildWizard *w = buildWizard();
    const RecipeDraft &draft = w->draft();
    m_json->setPlainText(QString::fromUtf8(draft.json()));
    const RecipeParse parse = draft.validate();
    m_issues->clear();
    for (const RecipeIssue &issue : parse.issues)
        new QTreeWidgetItem(m_issues, { issue.field, issue.message });
    m_issues->setVisible(!parse.issues.isEmpty());
    m_valid = parse.issues.isEmpty();
    connect(w, &BuildWizard::packageIndexReady, this, &ReviewPage::updateEstimate, Qt::UniqueConnection);
    updateEstimate();
    Q_EMIT completeChanged();
}

bool ReviewPage::isComplete() const
{
    return m_valid;
}

void ReviewPage::updateEstimate()
{
    const auto index = buildWizard()->packageIndex();
    if (!index) {
        m_estimate->setText(tr("Estimating the size from the package lists…"));
        return;
    }
    if (index->isEmpty()) {
        m_estimate->setText(tr("No size estimate: %1").arg(index->note()));
        return;
    }
    const Recipe &r = buildWizard()->draft().recipe;
    const SizeEstimate e = index->estimate(r.packages, r.exclude);
    QString text
        = tr("Estimate: %n package(s) with dependencies and Debian's essential set, %1 installed; "
             "the image machines download is very roughly %2 (pruning and compression vary).",
            nullptr, e.packages)
              .arg(QLocale().formattedDataSize(e.installedBytes), QLocale().formattedDataSize(e.compressedBytes));
    if (!e.unknown.isEmpty())
        text += QLatin1Char(' ')
            + tr("Not in the package lists of %1: %2.").arg(index->suite(), e.unknown.join(QStringLiteral(", ")));
    m_estimate->setText(text);
}

} // namespace drover
