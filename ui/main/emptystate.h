// EmptyState: shows a short "what to do next" message in place of a view while its model
// has no rows, so an empty area never looks broken.
#pragma once

#include <QStackedWidget>

class QAbstractItemModel;
class QLabel;

namespace drover {

class EmptyState final : public QStackedWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmptyState)
public:
    EmptyState(QWidget *content, QAbstractItemModel *model, const QString &message, QWidget *parent = nullptr);

    bool showsMessage() const { return currentIndex() == 0; }
    // Shows `placeholder` (owned from now on) instead of the message while there are no rows.
    void setPlaceholder(QWidget *placeholder);
    QString message() const;

private:
    void update();

    QAbstractItemModel *m_model;
    QLabel *m_label;
};

} // namespace drover
