#include "main/emptystate.h"

#include <QAbstractItemModel>
#include <QLabel>

namespace drover {

EmptyState::EmptyState(QWidget *content, QAbstractItemModel *model, const QString &message, QWidget *parent)
    : QStackedWidget(parent)
    , m_model(model)
    , m_label(new QLabel(message, this))
{
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText);
    m_label->setForegroundRole(QPalette::PlaceholderText);
    m_label->setContentsMargins(24, 24, 24, 24);
    addWidget(m_label);
    addWidget(content);
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(model, signal, this, &EmptyState::update);
    connect(model, &QAbstractItemModel::modelReset, this, &EmptyState::update);
    connect(model, &QAbstractItemModel::layoutChanged, this, &EmptyState::update);
    update();
}

void EmptyState::setPlaceholder(QWidget *placeholder)
{
    QWidget *old = widget(0);
    insertWidget(0, placeholder);
    removeWidget(old);
    old->hide(); // the label stays, for message()
    update();
}

QString EmptyState::message() const
{
    return m_label->text();
}

void EmptyState::update()
{
    setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1);
}

} // namespace drover
