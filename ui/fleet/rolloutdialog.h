// RolloutDialog: "Roll Out to a Group…" — pick the group, how many canaries go first, the
// wave size, the bake time, how many failures stop it, whether Drover reboots the machines
// and whether the image must pass a test in a VM first (on by default; the latest verdict
// on record is shown); the plan is checked (planRollout) before anything is saved.
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace drover {

class Lab;

class RolloutDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RolloutDialog)
public:
    RolloutDialog(Lab *lab, const QString &image, QWidget *parent = nullptr);

    QComboBox *groupBox() const { return m_group; }
    QLineEdit *canaryEdit() const { return m_canary; }
    QLineEdit *waveEdit() const { return m_wave; }
    QLineEdit *bakeEdit() const { return m_bake; }
    QCheckBox *requireTestBox() const { return m_requireTest; }
    QCheckBox *testUefiBox() const { return m_testUefi; }
    QLabel *errorLabel() const { return m_error; }
    // Plans and saves the rollout; false with the reason shown when something is wrong.
    bool startRollout();

private:
    Lab *m_lab;
    QString m_image;
    QComboBox *m_group;
    QLineEdit *m_canary;
    QLineEdit *m_wave;
    QLineEdit *m_bake;
    QSpinBox *m_maxFailures;
    QCheckBox *m_reboot;
    QCheckBox *m_requireTest;
    QCheckBox *m_testUefi;
    QLabel *m_error;
};

} // namespace drover
