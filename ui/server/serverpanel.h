// ServerPanel: the boot server's controls and health — DHCP mode, the lab's interface (with
// its addresses), ports, what happens to unknown machines, Start/Stop, and a status light
// with live counters per service — above where this Drover keeps its data. Start and Stop
// never block the window: the servers are event-driven, HTTP runs on threads of its own, and
// full DHCP mode's probe for another server runs in the background.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace drover {

class BootServer;
class Lab;
enum class BootService;

class ServerPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerPanel)
public:
    explicit ServerPanel(Lab *lab, QWidget *parent = nullptr);
    ~ServerPanel() override;

    QFormLayout *form() const { return m_form; }
    BootServer *server() const { return m_server; }

    // Controls, for tests.
    QComboBox *modeBox() const { return m_mode; }
    QComboBox *interfaceBox() const { return m_interface; }
    QSpinBox *httpPortBox() const { return m_httpPort; }
    QSpinBox *tftpPortBox() const { return m_tftpPort; }
    QComboBox *unknownBox() const { return m_unknown; }
    // The image new machines boot under "register" (an inventory or burn-in image), or none.
    QComboBox *newMachineImageBox() const { return m_newImage; }
    // Whether machines fetch layers from their neighbours (catalog setting boot/peers).
    QCheckBox *peersBox() const { return m_peers; }
    QPushButton *startButton() const { return m_start; }
    QLabel *messageLabel() const { return m_message; }
    QLabel *light(BootService service) const;
    QLabel *countersLabel(BootService service) const;

Q_SIGNALS:
    // Start was refused before anything started (the settings cannot work); `why` says in
    // full what to choose. A start that fails later comes as BootServer::startFinished.
    void startRefused(const QString &why);

public Q_SLOTS:
    void startOrStop();
    void refreshInterfaces();

private:
    void updateStatus();
    void updateCounters();
    void saveSettings() const;
    void loadSettings();
    void updateRangeVisibility();
    void refreshNewMachineImages();

    Lab *m_lab;
    BootServer *m_server;
    QFormLayout *m_form;
    QComboBox *m_mode;
    QComboBox *m_interface;
    QSpinBox *m_httpPort;
    QSpinBox *m_tftpPort;
    QComboBox *m_unknown;
    QComboBox *m_newImage;
    QCheckBox *m_peers;
    QLineEdit *m_rangeStart;
    QLineEdit *m_rangeEnd;
    QLineEdit *m_netmask;
    QLineEdit *m_router;
    QWidget *m_rangeBox;
    QPushButton *m_start;
    QLabel *m_message;
    QLabel *m_lights[3];
    QLabel *m_states[3];
    QLabel *m_counters[3];
    QTimer *m_counterTimer;
};

} // namespace drover
