// TestsTab: what the selected machine's test suite (its burn-in) found at each boot that ran
// it — per test its result, how long it took and its numbers — newest run first, and, while
// a failure keeps rollouts away from the machine, a button that clears it.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace drover {

class Catalog;

class TestsTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestsTab)
public:
    explicit TestsTab(Catalog *catalog, QWidget *parent = nullptr);

    QTreeWidget *tree() const { return m_tree; }
    QLabel *status() const { return m_status; }
    QPushButton *clearButton() const { return m_clear; }

public Q_SLOTS:
    void setMachine(const QString &name);
    void refresh();

private:
    void clearFailure();

    Catalog *m_catalog;
    QString m_machine;
    QLabel *m_status;
    QPushButton *m_clear;
    QTreeWidget *m_tree;
};

} // namespace drover
