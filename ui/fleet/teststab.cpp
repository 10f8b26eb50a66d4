#include "fleet/teststab.h"

#include "catalog/catalog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover {

namespace {

const QColor kFailed(0xd0, 0x31, 0x2d);

} // namespace

TestsTab::TestsTab(Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
    , m_status(new QLabel(this))
    , m_clear(new QPushButton(tr("C&lear Failure"), this))
    , m_tree(new QTreeWidget(this))
{
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_clear->setToolTip(tr("The machine failed its burn-in, so no rollout gives it an image. Clear the failure once "
                           "the hardware is repaired or known to be fine."));
    m_tree->setHeaderLabels({ tr("Test"), tr("Result"), tr("Took"), tr("Numbers") });
    m_tree->setAccessibleName(tr("Test results of the selected machine"));
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    auto *top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_clear, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_tree, 1);
    connect(m_clear, &QPushButton::clicked, this, &TestsTab::clearFailure);
    connect(catalog, &Catalog::changed, this, [this](const QString &table) {
        if (!m_machine.isEmpty()
            && (table == QLatin1String("tests") || table == QLatin1String("machine") || table == QLatin1String("*")))
            refresh();
    });
    setMachine({});
}

void TestsTab::setMachine(const QString &name)
{
    m_machine = name;
    refresh();
}

void TestsTab::refresh()
{
    m_tree->clear();
    m_clear->hide();
    const auto machine = m_machine.isEmpty() ? std::nullopt : m_catalog->machineByName(m_machine);
    if (!machine) {
        m_status->setText(tr("Select a machine to see its test results."));
        return;
    }
    const QList<TestRunRecord> runs = m_catalog->testRuns(m_machine);
    const QLocale locale;
    if (machine->burninFailed.isValid()) {
        m_status->setText(tr("<b>Burn-in failed</b> (%1): no rollout gives this machine an image until the failure "
                             "is cleared.")
                .arg(locale.toString(machine->burninFailed.toLocalTime(), QLocale::ShortFormat)));
        m_clear->show();
    } else if (runs.isEmpty()) {
        m_status->setText(tr("%1 has not run any tests. Assign it a burn-in image (built from examples/recipes/"
                             "debian-burnin.json): its tests run at the next boot and report here.")
                .arg(m_machine.toHtmlEscaped()));
        return;
    } else {
        m_status->setText(runs.first().passed
                ? tr("The last run passed (%1).")
                      .arg(locale.toString(runs.first().at.toLocalTime(), QLocale::ShortFormat))
                : tr("The last run failed (%1); its failure was cleared.")
                      .arg(locale.toString(runs.first().at.toLocalTime(), QLocale::ShortFormat)));
    }
    bool newest = true;
    for (const TestRunRecord &run : runs) {
        const int failed
            = int(std::count_if(run.tests.cbegin(), run.tests.cend(), [](const TestResult &t) { return !t.passed; }));
        qint64 totalMs = 0;
        for (const TestResult &t : run.tests)
            totalMs += t.durationMs;
        auto *item = new QTreeWidgetItem(m_tree,
            { tr("%1 at %2")
                    .arg(run.suite.isEmpty() ? tr("Tests") : run.suite,
                        locale.toString(run.at.toLocalTime(), QLocale::ShortFormat)),
                run.passed ? tr("passed") : tr("%1 of %n failed", nullptr, int(run.tests.size())).arg(failed),
                tr("%1 s").arg(locale.toString(double(totalMs) / 1000.0, 'f', 1)), tr("boot %1").arg(run.bootId) });
        if (!run.passed)
            item->setForeground(1, kFailed);
        for (const TestResult &t : run.tests) {
            auto *test = new QTreeWidgetItem(item,
                { t.name, t.passed ? tr("pass") : tr("fail"),
                    tr("%1 s").arg(locale.toString(double(t.durationMs) / 1000.0, 'f', 1)), describeMetrics(t) });
            if (!t.passed)
                test->setForeground(1, kFailed);
            if (!t.output.isEmpty()) {
                for (int column = 0; column < 4; ++column)
                    test->setToolTip(column, t.output);
            }
        }
        item->setExpanded(newest);
        newest = false;
    }
}

void TestsTab::clearFailure()
{
    if (Status s = m_catalog->clearBurninFailure(m_machine); !s) {
        QMessageBox::warning(this, tr("Clear Failure"), s.error());
        return;
    }
    refresh();
}

} // namespace drover
