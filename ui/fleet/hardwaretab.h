// HardwareTab: the hardware the selected machine reported at its last boot (DMI, firmware,
// CPU, memory, disks, NICs), every change since it was first seen, and, while a change is
// unacknowledged, what changed with a button that acknowledges it.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace drover {

class Catalog;

class HardwareTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HardwareTab)
public:
    explicit HardwareTab(Catalog *catalog, QWidget *parent = nullptr);

    QTreeWidget *tree() const { return m_tree; }
    QLabel *status() const { return m_status; }
    QPushButton *acknowledgeButton() const { return m_acknowledge; }

public Q_SLOTS:
    void setMachine(const QString &name);
    void refresh();

private:
    void acknowledge();

    Catalog *m_catalog;
    QString m_machine;
    QLabel *m_status;
    QPushButton *m_acknowledge;
    QTreeWidget *m_tree;
};

} // namespace drover
