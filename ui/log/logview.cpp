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

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    if (source->index(sourceRow, 0, sourceParent).data(LogModel::SeverityRole).toInt() < m_minimumSeverity)
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
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Save the messages shown to a text file"));
    connect(exportButton, &QPushButton::clicked, this, &LogView::exportWithDialog);

    m_table->setModel(m_filter);
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
