// ServerStrip: the boot server at a glance, always visible above the fleet — a light, what it
// serves and where (DHCP mode, interface, address, ports), for how long and how many boot
// scripts it has handed out, a switch to start or stop it, and the warning when another DHCP
// server is seen on the lab network. The settings stay in the Server panel: the strip shows
// them and asks for a start or stop, which the panel carries out with its settings.
#pragma once

#include <QFrame>

class QLabel;
class QTimer;
class QToolButton;

namespace drover {

class BootServer;

class ServerStrip final : public QFrame {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerStrip)
public:
    explicit ServerStrip(BootServer *server, QWidget *parent = nullptr);
    ~ServerStrip() override;

    // Why the last start failed; shown while the server is stopped, cleared by the next start.
    void setLastError(const QString &error);

    // For tests.
    QLabel *light() const { return m_light; }
    QLabel *summary() const { return m_summary; }
    QLabel *warning() const { return m_warning; }
    QToolButton *switchButton() const { return m_switch; }
    // The summary as it would read with room enough (the label elides it to fit).
    QString fullSummary() const { return m_fullSummary; }

Q_SIGNALS:
    void startStopRequested();
    void settingsRequested();

private:
    void refresh();
    QString runningSummary() const;

    BootServer *m_server;
    QLabel *m_light;
    QLabel *m_summary;
    QLabel *m_warning;
    QToolButton *m_settings;
    QToolButton *m_switch;
    QTimer *m_clock; // uptime, once a second while running
    QTimer *m_throttle; // counters change with every packet: follow at most 5 times a second
    QString m_fullSummary;
    QString m_lastError;
};

} // namespace drover
