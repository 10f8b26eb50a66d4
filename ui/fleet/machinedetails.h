// MachineDetails: the machine selected in the fleet table — what it is, what it boots and
// why, its assignment history, its last boot phase by phase with the time each took, its
// hardware (HardwareTab), its test results (TestsTab) and its configuration (ConfigEditor: its own and its group's, and
// what it will receive).
#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace drover {

class Catalog;
class ConfigEditor;
class HardwareTab;
class TestsTab;

class MachineDetails final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MachineDetails)
public:
    explicit MachineDetails(Catalog *catalog, QWidget *parent = nullptr);

    QString machine() const { return m_machine; }
    QTreeWidget *phases() const { return m_phases; }
    QTreeWidget *history() const { return m_history; }
    ConfigEditor *configEditor() const { return m_config; }
    HardwareTab *hardware() const { return m_hardware; }
    TestsTab *tests() const { return m_tests; }

public Q_SLOTS:
    void showMachine(const QString &name);
    void refresh();

private:
    Catalog *m_catalog;
    QString m_machine;
    QLabel *m_summary;
    QTreeWidget *m_phases;
    QTreeWidget *m_history;
    ConfigEditor *m_config;
    HardwareTab *m_hardware;
    TestsTab *m_tests;
};

} // namespace drover
