// ServerPanel: where this Drover keeps its data and how its boot server is set up and
// running.
#pragma once

#include <QWidget>

class QFormLayout;
class QLabel;

namespace drover {

class Lab;

class ServerPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerPanel)
public:
    explicit ServerPanel(Lab *lab, QWidget *parent = nullptr);

    QFormLayout *form() const { return m_form; }

private:
    Lab *m_lab;
    QFormLayout *m_form;
};

} // namespace drover
