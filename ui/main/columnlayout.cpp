#include "main/columnlayout.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QTimer>

namespace drover {

ColumnLayout::ColumnLayout(QHeaderView *header, QString settingsKey, int keptColumn, QObject *parent)
    : QObject(parent)
    , m_header(header)
    , m_key(std::move(settingsKey))
    , m_kept(keptColumn)
    , m_saveTimer(new QTimer(this))
{
    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(400);
    connect(m_saveTimer, &QTimer::timeout, this, &ColumnLayout::save);
    m_header->setContextMenuPolicy(Qt::CustomContextMenu);
    m_header->setSectionsMovable(true);
    m_header->setFirstSectionMovable(false);
    connect(m_header, &QHeaderView::customContextMenuRequested, this, &ColumnLayout::showMenu);
    connect(m_header, &QHeaderView::sectionResized, this, &ColumnLayout::scheduleSave);
    connect(m_header, &QHeaderView::sectionMoved, this, &ColumnLayout::scheduleSave);
}

ColumnLayout::~ColumnLayout()
{
    if (m_saveTimer->isActive())
        save(); // a column dragged wider just before the window closed is kept
}

void ColumnLayout::restore(const QList<int> &hiddenByDefault)
{
    m_restoring = true;
    m_hiddenByDefault = hiddenByDefault;
    m_defaults = m_header->saveState();
    for (int column : hiddenByDefault)
        m_header->setSectionHidden(column, true);
    const QSettings settings;
    const int saved = settings.value(m_key + QStringLiteral("/count")).toInt();
    if (saved == m_header->count())
        (void)m_header->restoreState(settings.value(m_key + QStringLiteral("/state")).toByteArray());
    m_header->setSectionHidden(m_kept, false);
    m_restoring = false;
}

void ColumnLayout::reset()
{
    m_restoring = true;
    (void)m_header->restoreState(m_defaults);
    for (int column : std::as_const(m_hiddenByDefault))
        m_header->setSectionHidden(column, true);
    m_restoring = false;
    save();
}

void ColumnLayout::setColumnShown(int column, bool shown)
{
    if (column == m_kept && !shown)
        return;
    m_header->setSectionHidden(column, !shown);
    save();
}

void ColumnLayout::showMenu(const QPoint &at)
{
    QMenu menu(m_header);
    const QAbstractItemModel *model = m_header->model();
    for (int column = 0; column < m_header->count(); ++column) {
        QAction *action = menu.addAction(model->headerData(column, m_header->orientation()).toString());
        action->setCheckable(true);
        action->setChecked(!m_header->isSectionHidden(column));
        action->setEnabled(column != m_kept);
        connect(action, &QAction::toggled, this, [this, column](bool on) { setColumnShown(column, on); });
    }
    menu.addSeparator();
    menu.addAction(tr("Reset Columns"), this, &ColumnLayout::reset);
    menu.exec(m_header->mapToGlobal(at));
}

void ColumnLayout::scheduleSave()
{
    if (!m_restoring)
        m_saveTimer->start();
}

void ColumnLayout::save()
{
    m_saveTimer->stop();
    if (!m_header)
        return;
    QSettings settings;
    settings.setValue(m_key + QStringLiteral("/count"), m_header->count());
    settings.setValue(m_key + QStringLiteral("/state"), m_header->saveState());
}

} // namespace drover
