// The wizard's packages page: search the host's apt lists by name or description, tick
// packages, or type names; packages to exclude.
#include "builder/buildwizard.h"
#include "builder/packagemodel.h"
#include "builder/wizardpages.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace drover {

namespace {

QStringList names(const QString &text)
{
    QStringList out;
    for (const QString &name : text.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts)) {
        if (!out.contains(name))
            out.append(name);
    }
    return out;
}

} // namespace

PackagesPage::PackagesPage(QWidget *parent)
    : DraftPage(parent)
    , m_model(new PackageModel(this))
    , m_filter(new PackageFilter(m_model, this))
    , m_search(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_status(new QLabel(this))
    , m_packagesText(new QPlainTextEdit(this))
    , m_exclude(new QLineEdit(this))
    , m_searchDelay(new QTimer(this))
{
    setTitle(tr("Packages"));
    setSubTitle(tr("Installed on top of Debian's essential set, with their dependencies (not their "
                   "recommends)."));
    m_search->setObjectName(QStringLiteral("packageSearch"));
    m_search->setPlaceholderText(tr("Search packages by name or description"));
    m_search->setClearButtonEnabled(true);
    m_search->setToolTip(tr("Every word must appear in the name or the description; empty shows the chosen "
                            "packages"));
    m_table->setObjectName(QStringLiteral("packageTable"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(PackageModel::Name, 220);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("Tick a package to install it (Space ticks the selected one)"));
    m_status->setObjectName(QStringLiteral("packageStatus"));
    m_status->setWordWrap(true);
    m_packagesText->setObjectName(QStringLiteral("packages"));
    m_packagesText->setTabChangesFocus(true);
    m_packagesText->setMaximumHeight(90);
    m_packagesText->setToolTip(tr("Package names separated by spaces or lines; NAME=VERSION pins a version"));
    m_exclude->setObjectName(QStringLiteral("exclude"));
    m_exclude->setToolTip(tr("Packages that must not be installed, separated by spaces"));
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(150);

    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchDelay, &QTimer::timeout, this, [this] {
        m_filter->setSearch(m_search->text());
        updateStatus();
    });
    connect(m_model, &PackageModel::toggled, this, &PackagesPage::toggled);
    connect(m_packagesText, &QPlainTextEdit::textChanged, this, &PackagesPage::textEdited);

    auto *form = new QFormLayout;
    form->addRow(tr("&Packages:"), m_packagesText);
    form->addRow(tr("E&xclude:"), m_exclude);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);
    layout->addLayout(form);
    layout->addWidget(m_error);
}

void PackagesPage::initializePage()
{
    DraftPage::initializePage();
    BuildWizard *w = buildWizard();
    connect(w, &BuildWizard::packageIndexReady, this, &PackagesPage::indexReady, Qt::UniqueConnection);
    if (w->packageIndex())
        indexReady();
    else
        updateStatus();
}

void PackagesPage::indexReady()
{
    auto index = buildWizard()->packageIndex();
    if (!index || index.get() == m_model->packageIndex())
        return;
    m_model->setIndex(index);
    m_model->setChosen(names(m_packagesText->toPlainText()));
    m_filter->setSearch(m_search->text());
    updateStatus();
}

void PackagesPage::load(const RecipeDraft &draft)
{
    m_syncing = true;
    m_packagesText->setPlainText(draft.recipe.packages.join(QLatin1Char('\n')));
    m_syncing = false;
    m_exclude->setText(draft.recipe.exclude.join(QLatin1Char(' ')));
    m_model->setChosen(draft.recipe.packages);
    m_filter->setSearch(m_search->text());
}

void PackagesPage::store(RecipeDraft &draft) const
{
    draft.recipe.packages = names(m_packagesText->toPlainText());
    draft.recipe.exclude = names(m_exclude->text());
}

bool PackagesPage::ownsField(const QString &field) const
{
    return field.startsWith(QLatin1String("packages")) || field.startsWith(QLatin1String("exclude"));
}

void PackagesPage::toggled(const QString &name, bool chosen)
{
    QStringList list = names(m_packagesText->toPlainText());
    if (chosen && !list.contains(name))
        list.append(name);
    if (!chosen) {
        // A pinned or arch-qualified entry ("name=1.2") goes too.
        list.removeIf([&name](const QString &entry) {
            return entry == name || entry.startsWith(name + QLatin1Char('='))
                || entry.startsWith(name + QLatin1Char(':'));
        });
    }
    m_syncing = true;
    m_packagesText->setPlainText(list.join(QLatin1Char('\n')));
    m_syncing = false;
    updateStatus();
}

void PackagesPage::textEdited()
{
    if (m_syncing)
        return;
    QStringList chosen;
    for (const QString &entry : names(m_packagesText->toPlainText()))
        chosen.append(entry.section(QLatin1Char('='), 0, 0).section(QLatin1Char(':'), 0, 0));
    m_model->setChosen(chosen);
    updateStatus();
}

void PackagesPage::updateStatus()
{
    const PackageIndex *index = m_model->packageIndex();
    if (!index) {
        m_status->setText(tr("Reading the package lists apt knows…"));
        return;
    }
    QStringList parts;
    if (index->isEmpty())
        parts.append(index->note());
    else
        parts.append(
            tr("%1 of %n package(s) shown.", nullptr, int(index->packages().size())).arg(m_filter->rowCount()));
    QStringList unknown;
    if (!index->isEmpty()) {
        for (const QString &name : names(m_packagesText->toPlainText())) {
            if (!index->find(name))
                unknown.append(name);
        }
    }
    if (!unknown.isEmpty())
        parts.append(tr("Not in the package lists of %1: %2").arg(index->suite(), unknown.join(QStringLiteral(", "))));
    if (!index->isEmpty() && !index->note().isEmpty())
        parts.append(index->note());
    m_status->setText(parts.join(QLatin1Char(' ')));
}

} // namespace drover
