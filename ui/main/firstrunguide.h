// FirstRunGuide: what an empty lab shows in place of the fleet table — the three steps to a
// first boot (an image, the boot server, a machine), each with the button that does it and a
// mark once it is done, following the catalog and the server.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace drover {

class BootServer;
class Catalog;

class FirstRunGuide final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FirstRunGuide)
public:
    FirstRunGuide(Catalog *catalog, BootServer *server, QWidget *parent = nullptr);

    bool stepDone(int step) const; // 0: an image, 1: serving, 2: a machine
    QPushButton *imageButton() const { return m_image; }
    QPushButton *serveButton() const { return m_serve; }
    QPushButton *virtualMachinesButton() const { return m_virtual; }
    QPushButton *machineButton() const { return m_machine; }

    void refresh();

Q_SIGNALS:
    void newImageRequested();
    void startServerRequested();
    void addVirtualMachinesRequested();
    void addMachineRequested();

private:
    Catalog *m_catalog;
    BootServer *m_server;
    QLabel *m_marks[3];
    bool m_done[3] = {};
    QPushButton *m_image;
    QPushButton *m_serve;
    QPushButton *m_virtual;
    QPushButton *m_machine;
};

} // namespace drover
