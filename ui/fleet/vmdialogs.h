// The virtual lab in the window: "Add Virtual Machines…" (how many, which group, BIOS or
// UEFI, memory) and a machine's serial console, followed live from its log file.
#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTimer;

namespace drover {

class Lab;

class AddVmDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddVmDialog)
public:
    explicit AddVmDialog(Lab *lab, QWidget *parent = nullptr);
    QSpinBox *countBox() const { return m_count; }
    QLineEdit *groupEdit() const { return m_group; }
    // Adds the machines; false with the reason shown.
    bool addMachines();
    QStringList added() const { return m_added; }

private:
    Lab *m_lab;
    QSpinBox *m_count;
    QLineEdit *m_group;
    QCheckBox *m_uefi;
    QSpinBox *m_memory;
    QLabel *m_error;
    QStringList m_added;
};

class ConsoleView final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleView)
public:
    ConsoleView(const QString &machine, const QString &logFile, QWidget *parent = nullptr);
    QString text() const;
    void refresh();

private:
    QString m_file;
    QPlainTextEdit *m_text;
    qint64 m_size = -1;
};

} // namespace drover
