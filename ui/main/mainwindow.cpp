#include "main/mainwindow.h"

#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "images/imagemodel.h"
#include "lab/lab.h"
#include "log/logmodel.h"
#include "log/logview.h"
#include "main/addmachinedialog.h"
#include "main/emptystate.h"
#include "server/serverpanel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>

namespace drover {

MainWindow::MainWindow(Lab *lab, QWidget *parent)
    : QMainWindow(parent)
    , m_lab(lab)
    , m_fleetModel(new FleetModel(lab->catalog(), this))
    , m_imageModel(new ImageModel(lab->catalog(), this))
    , m_logModel(new LogModel(lab->log(), this))
    , m_fleetView(new FleetView(m_fleetModel, this))
    , m_logView(new LogView(m_logModel, this))
    , m_serverPanel(new ServerPanel(lab, this))
{
    setWindowTitle(tr("Drover"));
    setObjectName(QStringLiteral("mainWindow"));
    setDockNestingEnabled(true);
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);

    auto *images = new QTableView(this);
    images->setObjectName(QStringLiteral("imageTable"));
    images->setModel(m_imageModel);
    images->setSelectionBehavior(QAbstractItemView::SelectRows);
    images->verticalHeader()->hide();
    images->horizontalHeader()->setStretchLastSection(true);
    auto *imagePanel = new EmptyState(images, m_imageModel,
        tr("No images yet.\n\nBuild one from a recipe, or import an image bundle "
           "(.tar) from another lab."),
        this);

    // The fleet table is the heart of the window: it takes the centre, the others dock around.
    addArea(QStringLiteral("fleetDock"), tr("Fleet"), m_fleetView, Qt::TopDockWidgetArea);
    addArea(QStringLiteral("imageDock"), tr("Images"), imagePanel, Qt::LeftDockWidgetArea);
    addArea(QStringLiteral("serverDock"), tr("Server"), m_serverPanel, Qt::LeftDockWidgetArea);
    addArea(QStringLiteral("logDock"), tr("Log"), m_logView, Qt::BottomDockWidgetArea);
    splitDockWidget(dock(QStringLiteral("imageDock")), dock(QStringLiteral("fleetDock")), Qt::Horizontal);
    resize(1280, 800);
    resizeDocks({ dock(QStringLiteral("imageDock")), dock(QStringLiteral("fleetDock")) }, { 380, 900 }, Qt::Horizontal);
    resizeDocks({ dock(QStringLiteral("fleetDock")), dock(QStringLiteral("logDock")) }, { 520, 240 }, Qt::Vertical);
    m_defaultState = saveState();

    createMenus();
    statusBar()->showMessage(tr("Data in %1").arg(lab->dataDir()));
    restoreLayout();
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addArea(
    const QString &objectName, const QString &title, QWidget *content, Qt::DockWidgetArea area)
{
    auto *dockWidget = new QDockWidget(title, this);
    dockWidget->setObjectName(objectName);
    dockWidget->setWidget(content);
    dockWidget->setFeatures(
        QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dockWidget);
    m_docks.append(dockWidget);
    return dockWidget;
}

QDockWidget *MainWindow::dock(const QString &objectName) const
{
    for (QDockWidget *d : m_docks) {
        if (d->objectName() == objectName)
            return d;
    }
    return nullptr;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *machines = menuBar()->addMenu(tr("&Machines"));
    QAction *add = machines->addAction(tr("&Add Machine…"), QKeySequence::New, this, &MainWindow::addMachine);
    add->setToolTip(tr("Add a machine by its MAC address"));
    QAction *remove
        = machines->addAction(tr("&Remove Selected"), QKeySequence::Delete, this, &MainWindow::removeSelectedMachines);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_fleetView->table()->addAction(remove);
    machines->addSeparator();
    machines->addAction(tr("&Find…"), QKeySequence::Find, this, [this] {
        dock(QStringLiteral("fleetDock"))->raise();
        m_fleetView->search()->setFocus();
        m_fleetView->search()->selectAll();
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : std::as_const(m_docks))
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Drover"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::resetLayout()
{
    for (QDockWidget *d : std::as_const(m_docks)) {
        d->setFloating(false);
        d->show();
    }
    restoreState(m_defaultState);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::addMachine()
{
    AddMachineDialog dialog(m_lab->catalog(), this);
    if (dialog.exec() == QDialog::Accepted)
        statusBar()->showMessage(tr("Added machine %1").arg(dialog.nameEdit()->text().trimmed()), 5000);
}

void MainWindow::removeSelectedMachines()
{
    const QStringList names = m_fleetView->selectedMachines();
    if (names.isEmpty())
        return;
    const auto answer = QMessageBox::question(this, tr("Remove Machines"),
        tr("Remove %n machine(s) from the catalog? Their boot history stays in the log.", nullptr, int(names.size()))
            + QStringLiteral("\n\n") + names.join(QStringLiteral(", ")));
    if (answer != QMessageBox::Yes)
        return;
    for (const QString &name : names) {
        if (Status s = m_lab->catalog()->removeMachine(name); !s) {
            QMessageBox::warning(this, tr("Remove Machines"), s.error());
            return;
        }
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Drover"),
        tr("<h3>Drover %1</h3><p>Stateless machines for small labs: every machine network-boots "
           "an image chosen at boot time, runs it from RAM and keeps nothing. Upgrading is "
           "assigning a new image; rolling back is assigning the old one.</p>")
            .arg(QStringLiteral(DROVER_VERSION)));
}

} // namespace drover
