#include "log/logview.h"

#include "log/logmodel.h"
#include "main/emptystate.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace drover {

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void LogFilterModel::setMinimumSeverity(int severity)
{
    m_minimumSeverity = severity;
    invalidateRowsFilter();
}

void LogFilterModel::setText(const QString &text)
{
    m_text = text;
    invalidateRowsFilter();
}

void LogFilterModel::setMachines(const QStringList &machines)
{
    m_machines = machines;
    invalidateRowsFilter();
}

void LogFilterModel::setPhase(const QString &phase)
{
    m_phase = phase;
    invalidateRowsFilter();
}

void LogFilterModel::setSince(const QDateTime &since)
{
    m_since = since;
    invalidateRowsFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex first = source->index(sourceRow, 0, sourceParent);
    if (first.data(LogModel::SeverityRole).toInt() < m_minimumSeverity)
        return false;
    if (m_since.isValid() && first.data(LogModel::TimeRole).toDateTime() < m_since)
        return false;
    if (!m_phase.isEmpty() && source->index(sourceRow, LogModel::Phase, sourceParent).data().toString() != m_phase)
        return false;
    if (!m_machines.isEmpty()
        && !m_machines.contains(
            source->index(sourceRow, LogModel::Machine, sourceParent).data().toString(), Qt::CaseInsensitive))
        return false;
    if (m_text.isEmpty())
        return true;
    for (int column : { LogModel::Machine, LogModel::Phase, LogModel::Source, LogModel::Text }) {
        if (source->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

LogView::LogView(LogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new LogFilterModel(this))
    , m_text(new QLineEdit(this))
    , m_severity(new QComboBox(this))
    , m_phase(new QComboBox(this))
    , m_time(new QComboBox(this))
    , m_onlySelected(new QToolButton(this))
    , m_table(new QTableView(this))
{
    m_filter->setSourceModel(model);
    m_text->setPlaceholderText(tr("Filter by machine, phase or text"));
    m_text->setClearButtonEnabled(true);
    connect(m_text, &QLineEdit::textChanged, m_filter, &LogFilterModel::setText);
    m_severity->addItem(tr("All messages"), int(Severity::Debug));
    m_severity->addItem(tr("Info and above"), int(Severity::Info));
    m_severity->addItem(tr("Warnings and errors"), int(Severity::Warning));
    m_severity->addItem(tr("Errors only"), int(Severity::Error));
    m_severity->setToolTip(tr("Minimum severity shown"));
    connect(m_severity, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setMinimumSeverity(m_severity->currentData().toInt()); });
    m_phase->setObjectName(QStringLiteral("logPhase"));
    m_phase->addItem(tr("All phases"), QString());
    // A boot's phases in the order a machine goes through them, then the reports after ready.
    for (const char *phase : { "dhcp", "tftp", "script", "shim", "grub", "kernel", "initrd", "layer", "blob", "fetched",
             "verified", "mounted", "configured", "ready", "failed", "config", "nocloud", "inventory", "tests" })
        m_phase->addItem(QString::fromLatin1(phase), QString::fromLatin1(phase));
    m_phase->setToolTip(tr("Only this boot phase"));
    connect(m_phase, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setPhase(m_phase->currentData().toString()); });
    m_time->setObjectName(QStringLiteral("logTime"));
    m_time->addItem(tr("Any time"), 0);
    m_time->addItem(tr("Last 15 minutes"), 15 * 60);
    m_time->addItem(tr("Last hour"), 3600);
    m_time->addItem(tr("Last 24 hours"), 24 * 3600);
    m_time->setToolTip(tr("Only messages this recent (from when the choice was made)"));
    connect(m_time, &QComboBox::currentIndexChanged, this, [this] {
        const int seconds = m_time->currentData().toInt();
        m_filter->setSince(seconds > 0 ? QDateTime::currentDateTimeUtc().addSecs(-seconds) : QDateTime());
    });
    m_onlySelected->setObjectName(QStringLiteral("logSelectedMachines"));
    m_onlySelected->setText(tr("&Selected machines"));
    m_onlySelected->setCheckable(true);
    m_onlySelected->setToolTip(tr("Only the messages about the machines selected in the fleet table"));
    m_onlySelected->setEnabled(false);
    connect(m_onlySelected, &QToolButton::toggled, this,
        [this](bool on) { m_filter->setMachines(on ? m_selectedMachines : QStringList()); });
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Save the messages shown to a text file"));
    connect(exportButton, &QPushButton::clicked, this, &LogView::exportWithDialog);

    m_table->setModel(m_filter);
    m_table->setObjectName(QStringLiteral("logTable"));
    m_table->setAccessibleName(tr("Log"));
    m_text->setAccessibleName(tr("Log filter"));
    m_severity->setAccessibleName(tr("Minimum severity"));
    m_phase->setAccessibleName(tr("Boot phase"));
    m_time->setAccessibleName(tr("Time"));
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    // Follow the newest entry unless the user scrolled up to read.
    connect(m_filter, &QAbstractItemModel::rowsInserted, m_table, [this] {
        if (auto *bar = m_table->verticalScrollBar(); bar->value() >= bar->maximum() - 2)
            m_table->scrollToBottom();
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_text, 1);
    bar->addWidget(m_onlySelected);
    bar->addWidget(m_phase);
    bar->addWidget(m_time);
    bar->addWidget(m_severity);
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(new EmptyState(m_table, m_filter,
        tr("Nothing logged yet. Boot steps, build steps and server events appear "
           "here as they happen."),
        this));
}

void LogView::setSelectedMachines(const QStringList &machines)
{
    m_selectedMachines = machines;
    m_onlySelected->setEnabled(!machines.isEmpty());
    if (machines.isEmpty())
        m_onlySelected->setChecked(false); // nothing selected: every machine again
    else if (m_onlySelected->isChecked())
        m_filter->setMachines(machines);
}

bool LogView::exportTo(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = file.errorString();
        return false;
    }
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < LogModel::ColumnCount; ++column)
            cells.append(m_filter->index(row, column).data().toString());
        file.write(cells.join(QLatin1Char('\t')).toUtf8() + '\n');
    }
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void LogView::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export log"), QStringLiteral("drover-log.txt"), tr("Text files (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, &error))
        QMessageBox::warning(this, tr("Export log"), tr("Cannot write %1: %2").arg(path, error));
}

} // namespace drover
