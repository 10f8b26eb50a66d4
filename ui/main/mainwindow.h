// MainWindow: the fleet table, image panel, log view and server panel as dock areas the
// user can rearrange; the layout and geometry are restored at the next start.
#pragma once

#include <QMainWindow>
#include <QPointer>

class QDockWidget;
class QUndoStack;

namespace drover {

class BuildWizard;
class FleetActions;
class PowerActions;
class RolloutBanner;
class ImageTest;
class FleetModel;
class FleetView;
class ImageModel;
class ImagePanel;
class Lab;
class LogModel;
class LogView;
class ServerPanel;
class ServerStrip;

class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(Lab *lab, QWidget *parent = nullptr);
    ~MainWindow() override;

    FleetView *fleetView() const { return m_fleetView; }
    FleetActions *fleetActions() const { return m_fleetActions; }
    PowerActions *powerActions() const { return m_powerActions; }
    RolloutBanner *rolloutBanner() const { return m_rolloutBanner; }
    QUndoStack *undoStack() const { return m_undoStack; }
    LogView *logView() const { return m_logView; }
    ServerPanel *serverPanel() const { return m_serverPanel; }
    ServerStrip *serverStrip() const { return m_serverStrip; }
    ImagePanel *imagePanel() const { return m_imagePanel; }
    QDockWidget *dock(const QString &objectName) const;
    void resetLayout();
    // Opens the build wizard (one at a time): a new image, or the next version of `tag`.
    BuildWizard *openBuildWizard(const QString &tag = QString());
    BuildWizard *buildWizard() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QDockWidget *addArea(const QString &objectName, const QString &title, QWidget *content, Qt::DockWidgetArea area);
    void createMenus();
    void restoreLayout();
    void addMachine();
    void removeSelectedMachines();
    void addVirtualMachines();
    void openConsole();
    void testImage(const QString &tag);
    void showAbout();
    void showServerPanel();
    // What the user did in this window, in the log with their name: the log tells the whole
    // story of a lesson, not only what the machines did.
    void logAction(const QString &what, bool failed = false);
    void addServerStrip();

    Lab *m_lab;
    FleetModel *m_fleetModel;
    ImageModel *m_imageModel;
    LogModel *m_logModel;
    FleetView *m_fleetView;
    LogView *m_logView;
    ServerPanel *m_serverPanel;
    ServerStrip *m_serverStrip = nullptr;
    ImagePanel *m_imagePanel = nullptr;
    QUndoStack *m_undoStack;
    FleetActions *m_fleetActions;
    PowerActions *m_powerActions;
    RolloutBanner *m_rolloutBanner = nullptr;
    ImageTest *m_imageTest = nullptr; // the running "Test in a VM", if any
    QList<QDockWidget *> m_docks;
    QByteArray m_defaultState;
    QPointer<BuildWizard> m_buildWizard;
};

} // namespace drover
