#include "main/mainwindow.h"

#include "boot/bootserver.h"
#include "builder/buildwizard.h"
#include "builder/wizardpages.h"
#include "fleet/fleetactions.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetsummary.h"
#include "fleet/fleetview.h"
#include "fleet/machinedetails.h"
#include "fleet/poweractions.h"
#include "fleet/rolloutbanner.h"
#include "fleet/rolloutdialog.h"
#include "fleet/vmdialogs.h"
#include "images/imagemodel.h"
#include "images/imagepanel.h"
#include "lab/lab.h"
#include "log/catalogeventfeed.h"
#include "log/logbus.h"
#include "log/logmodel.h"
#include "log/logview.h"
#include "main/addmachinedialog.h"
#include "main/emptystate.h"
#include "main/firstrunguide.h"
#include "server/serverpanel.h"
#include "server/serverstrip.h"
#include "util/currentuser.h"
#include "vm/imagetest.h"
#include "vm/virtuallab.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QTreeView>
#include <QUndoStack>

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
    , m_undoStack(new QUndoStack(this))
    , m_fleetActions(new FleetActions(lab, m_fleetView, m_undoStack, this))
    , m_powerActions(new PowerActions(lab, m_fleetView, this))
{
    setWindowTitle(tr("Drover"));
    setObjectName(QStringLiteral("mainWindow"));
    // Boot events from the catalog: a headless Drover or another admin's boots show here too.
    auto *feed = new CatalogEventFeed(lab->catalog(), 500, this);
    m_logModel->takeBootEventsFrom(feed);
    feed->start();
    setDockNestingEnabled(true);
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);

    m_imagePanel = new ImagePanel(lab, m_imageModel, this);
    setAcceptDrops(true); // an image bundle dropped anywhere on the window is imported

    // The fleet table is the heart of the window: its centre, which takes whatever room a
    // larger screen adds, with images, server and machine details to its left and the log below.
    m_fleetView->setObjectName(QStringLiteral("fleet"));
    setCentralWidget(m_fleetView);
    addArea(QStringLiteral("imageDock"), tr("Images"), m_imagePanel, Qt::LeftDockWidgetArea);
    addArea(QStringLiteral("serverDock"), tr("Server"), m_serverPanel, Qt::LeftDockWidgetArea);
    addArea(QStringLiteral("logDock"), tr("Log"), m_logView, Qt::BottomDockWidgetArea);
    auto *details = new MachineDetails(lab->catalog(), this);
    addArea(QStringLiteral("detailsDock"), tr("Machine"), details, Qt::LeftDockWidgetArea);
    tabifyDockWidget(dock(QStringLiteral("serverDock")), dock(QStringLiteral("detailsDock")));
    connect(m_fleetView->table()->selectionModel(), &QItemSelectionModel::currentRowChanged, details,
        [details](const QModelIndex &current) {
            details->showMachine(current.data(FleetModel::MachineNameRole).toString());
        });
    addServerStrip();
    resize(1280, 800);
    resizeDocks({ dock(QStringLiteral("imageDock")) }, { 380 }, Qt::Horizontal);
    // Images get the larger part of the left column: several of them, with use and test, in view.
    resizeDocks({ dock(QStringLiteral("imageDock")), dock(QStringLiteral("serverDock")) }, { 340, 220 }, Qt::Vertical);
    resizeDocks({ dock(QStringLiteral("logDock")) }, { 180 }, Qt::Vertical);
    m_defaultState = saveState();

    createMenus();
    auto showMessage = [this](const QString &text) { statusBar()->showMessage(text, 10000); };
    connect(m_fleetActions, &FleetActions::message, this, showMessage);
    connect(m_powerActions, &PowerActions::message, this, showMessage);
    m_rolloutBanner = new RolloutBanner(lab, m_fleetView);
    m_fleetView->setBanner(m_rolloutBanner);
    connect(m_rolloutBanner, &RolloutBanner::message, this, showMessage);
    connect(m_fleetActions, &FleetActions::performed, this, &MainWindow::logAction);
    connect(m_imagePanel, &ImagePanel::performed, this, &MainWindow::logAction);
    connect(m_rolloutBanner, &RolloutBanner::performed, this, &MainWindow::logAction);
    connect(m_imagePanel, &ImagePanel::message, this, showMessage);
    connect(m_imagePanel, &ImagePanel::newImageRequested, this, [this] { openBuildWizard(); });
    connect(m_imagePanel, &ImagePanel::newVersionRequested, this, [this](const QString &tag) { openBuildWizard(tag); });
    connect(m_imagePanel, &ImagePanel::testRequested, this, &MainWindow::testImage);
    connect(m_imagePanel, &ImagePanel::rolloutRequested, this, [this](const QString &tag) {
        RolloutDialog dialog(m_lab, tag, this);
        if (dialog.exec() == QDialog::Accepted) {
            statusBar()->showMessage(tr("Rollout of %1 started: the boot server moves it along").arg(tag), 10000);
            logAction(tr("started a rollout of %1").arg(tag));
        }
    });
    connect(m_fleetView->table(), &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu(this);
        m_fleetActions->populateContextMenu(&menu);
        m_powerActions->populateContextMenu(&menu);
        QAction *console = menu.addAction(tr("Open &Console"), this, &MainWindow::openConsole);
        const QStringList selected = m_fleetView->selectedMachines();
        bool isVm = false;
        for (const VmSpec &vm : virtualMachines(m_lab))
            isVm = isVm || (selected.size() == 1 && vm.name == selected.first());
        console->setEnabled(isVm);
        console->setToolTip(tr("The serial console of a virtual machine"));
        menu.addSeparator();
        menu.addAction(tr("Re&move…"), this, &MainWindow::removeSelectedMachines)
            ->setEnabled(!m_fleetView->selectedMachines().isEmpty());
        menu.exec(m_fleetView->table()->viewport()->mapToGlobal(pos));
    });
    // The selected machines' events are one click away in the log (Selected machines).
    connect(m_fleetView->table()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        [this] { m_logView->setSelectedMachines(m_fleetView->selectedMachines()); });
    // An empty lab: the three steps to a first boot, each with its button, in the fleet area.
    auto *guide = new FirstRunGuide(lab->catalog(), m_serverPanel->server());
    m_fleetView->setEmptyPlaceholder(guide);
    connect(guide, &FirstRunGuide::newImageRequested, this, [this] { openBuildWizard(); });
    connect(guide, &FirstRunGuide::startServerRequested, this, [this] {
        showServerPanel();
        if (!m_serverPanel->server()->isRunning() && !m_serverPanel->server()->isStarting())
            m_serverPanel->startOrStop(); // a refusal says in the panel what to choose
    });
    connect(guide, &FirstRunGuide::addVirtualMachinesRequested, this, &MainWindow::addVirtualMachines);
    connect(guide, &FirstRunGuide::addMachineRequested, this, &MainWindow::addMachine);
    statusBar()->addPermanentWidget(new FleetSummary(lab->catalog(), this));
    statusBar()->showMessage(tr("Data in %1").arg(lab->dataDir()));
    restoreLayout();
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addArea(
    const QString &objectName, const QString &title, QWidget *content, Qt::DockWidgetArea area)
{
    auto *dockWidget = new QDockWidget(title, this);
    dockWidget->setObjectName(objectName);
    // Tall panels scroll inside their area rather than push the window past a laptop's
    // 800 pixels (the server panel alone wants ~580).
    if (objectName == QLatin1String("serverDock") || objectName == QLatin1String("detailsDock")) {
        auto *scroll = new QScrollArea(dockWidget);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setWidget(content);
        dockWidget->setWidget(scroll);
    } else {
        dockWidget->setWidget(content);
    }
    dockWidget->setFeatures(
        QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dockWidget);
    m_docks.append(dockWidget);
    return dockWidget;
}

void MainWindow::addServerStrip()
{
    // Always in view, above everything: whether machines that netboot now get an image.
    m_serverStrip = new ServerStrip(m_serverPanel->server(), this);
    m_serverStrip->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *bar = new QToolBar(tr("Boot Server"), this);
    bar->setObjectName(QStringLiteral("serverStripBar"));
    bar->setMovable(false);
    bar->setFloatable(false);
    bar->toggleViewAction()->setVisible(false);
    bar->addWidget(m_serverStrip);
    addToolBar(Qt::TopToolBarArea, bar);
    connect(m_serverStrip, &ServerStrip::startStopRequested, m_serverPanel, &ServerPanel::startOrStop);
    connect(m_serverStrip, &ServerStrip::settingsRequested, this, &MainWindow::showServerPanel);
    // A start that cannot work is explained whole in the panel: bring it forward.
    connect(m_serverPanel, &ServerPanel::startRefused, this, [this](const QString &why) {
        m_serverStrip->setLastError(why);
        showServerPanel();
    });
    connect(m_serverPanel->server(), &BootServer::startFinished, this, [this](bool ok, const QString &error) {
        if (!ok) {
            logAction(tr("starting the boot server: %1").arg(error), true);
            showServerPanel();
        }
    });
    // Who started and stopped serving goes to the log beside the server's own lines.
    connect(m_serverPanel->server(), &BootServer::statusChanged, this, [this, running = false]() mutable {
        BootServer *server = m_serverPanel->server();
        if (server->isRunning() == running)
            return;
        running = server->isRunning();
        logAction(running ? tr("started the boot server (%1)")
                                .arg(m_serverStrip->fullSummary().section(QStringLiteral(" · "), 0, 1))
                          : tr("stopped the boot server"));
    });
}

void MainWindow::logAction(const QString &what, bool failed)
{
    m_lab->log()->post(
        failed ? Severity::Warning : Severity::Info, QStringLiteral("user"), tr("%1: %2").arg(currentUser(), what));
}

void MainWindow::showServerPanel()
{
    QDockWidget *server = dock(QStringLiteral("serverDock"));
    server->show();
    server->raise();
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

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undoStack->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    edit->addAction(undo);
    // Connected after the stack's own: by then the undone command is the one to redo.
    connect(undo, &QAction::triggered, this, [this] { logAction(tr("undid: %1").arg(m_undoStack->redoText())); });
    QAction *redo = m_undoStack->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(redo);
    connect(redo, &QAction::triggered, this, [this] { logAction(tr("redid: %1").arg(m_undoStack->undoText())); });

    QMenu *machines = menuBar()->addMenu(tr("&Machines"));
    QAction *add = machines->addAction(tr("&Add Machine…"), QKeySequence::New, this, &MainWindow::addMachine);
    add->setToolTip(tr("Add a machine by its MAC address"));
    machines->addAction(tr("Add &Virtual Machines…"), this, &MainWindow::addVirtualMachines)
        ->setToolTip(tr("qemu machines on this computer that netboot from Drover: a lab without hardware"));
    QAction *remove
        = machines->addAction(tr("&Remove Selected"), QKeySequence::Delete, this, &MainWindow::removeSelectedMachines);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_fleetView->table()->addAction(remove);
    machines->addSeparator();
    m_fleetActions->populateContextMenu(machines);
    m_powerActions->populateContextMenu(machines);
    machines->addSeparator();
    machines->addAction(tr("&Find…"), QKeySequence::Find, this, [this] {
        m_fleetView->search()->setFocus();
        m_fleetView->search()->selectAll();
    });

    QMenu *images = menuBar()->addMenu(tr("&Images"));
    QAction *newImage = images->addAction(
        tr("&New Image…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this, [this] { openBuildWizard(); });
    newImage->setObjectName(QStringLiteral("newImageAction"));
    newImage->setToolTip(tr("Build an image from a template, an image's recipe or a recipe file"));
    images->addAction(tr("New &Version of Selected…"), this, [this] {
        if (const QString tag = m_imagePanel->selectedTag(); !tag.isEmpty())
            openBuildWizard(tag);
        else
            statusBar()->showMessage(tr("Select an image to make its next version."), 5000);
    });

    QMenu *server = menuBar()->addMenu(tr("&Server"));
    QAction *serve = server->addAction(tr("Start or Stop &Serving"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
        m_serverPanel, &ServerPanel::startOrStop);
    serve->setObjectName(QStringLiteral("startStopServingAction"));
    serve->setToolTip(tr("Start the boot server with the Server panel's settings, or stop it"));
    server->addAction(tr("Server &Settings…"), this, &MainWindow::showServerPanel);

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

namespace {

QString bundleIn(const QMimeData *data)
{
    for (const QUrl &url : data->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".tar"), Qt::CaseInsensitive))
            return url.toLocalFile();
    }
    return {};
}

} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!bundleIn(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = bundleIn(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    dock(QStringLiteral("imageDock"))->raise();
    m_imagePanel->importFile(path);
}

BuildWizard *MainWindow::buildWizard() const
{
    return m_buildWizard;
}

BuildWizard *MainWindow::openBuildWizard(const QString &tag)
{
    if (!m_buildWizard) {
        m_buildWizard = new BuildWizard(m_lab, this);
        m_buildWizard->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_buildWizard, &BuildWizard::imageBuilt, this, [this](const QString &built) {
            dock(QStringLiteral("imageDock"))->raise();
            m_imagePanel->selectTag(built);
            statusBar()->showMessage(tr("Built %1").arg(built), 10000);
        });
        if (!tag.isEmpty())
            m_buildWizard->startFromImage(tag);
        m_buildWizard->show();
    } else if (!tag.isEmpty() && !m_buildWizard->buildPage()->isBuilding()) {
        m_buildWizard->startFromImage(tag);
    }
    m_buildWizard->raise();
    m_buildWizard->activateWindow();
    return m_buildWizard;
}

void MainWindow::addMachine()
{
    AddMachineDialog dialog(m_lab->catalog(), this);
    if (dialog.exec() == QDialog::Accepted) {
        statusBar()->showMessage(tr("Added machine %1").arg(dialog.nameEdit()->text().trimmed()), 5000);
        logAction(tr("added the machine %1").arg(dialog.nameEdit()->text().trimmed()));
    }
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
    QStringList vms;
    for (const VmSpec &vm : virtualMachines(m_lab))
        vms.append(vm.name);
    for (const QString &name : names) {
        // A virtual machine goes with its qemu and files; others only leave the catalog.
        if (Status s = vms.contains(name) ? removeVirtualMachine(m_lab, name) : m_lab->catalog()->removeMachine(name);
            !s) {
            logAction(tr("removing %1: %2").arg(name, s.error()), true);
            QMessageBox::warning(this, tr("Remove Machines"), s.error());
            return;
        }
        logAction(tr("removed the machine %1").arg(name));
    }
}

void MainWindow::addVirtualMachines()
{
    AddVmDialog dialog(m_lab, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    logAction(tr("added the virtual machines %1").arg(dialog.added().join(QStringLiteral(", "))));
    statusBar()->showMessage(m_serverPanel->server()->isRunning()
            ? tr("Added %1: they start now and netboot from this Drover").arg(dialog.added().join(QStringLiteral(", ")))
            : tr("Added %1: they start when the boot server starts (Server area)")
                  .arg(dialog.added().join(QStringLiteral(", "))),
        15000);
}

void MainWindow::testImage(const QString &tag)
{
    if (m_imageTest) {
        statusBar()->showMessage(tr("An image test is running already"), 5000);
        return;
    }
    m_imageTest = new ImageTest(m_lab, this);
    connect(m_imageTest, &ImageTest::progress, this,
        [this, tag](const QString &phase) { statusBar()->showMessage(tr("Testing %1: %2").arg(tag, phase)); });
    connect(m_imageTest, &ImageTest::finished, this, [this](const ImageTestResult &r) {
        m_imageTest->deleteLater();
        m_imageTest = nullptr;
        const QString text = r.passed
            ? tr("%1 passed: ready after %2 s.").arg(r.image).arg(r.seconds, 0, 'f', 1)
            : tr("%1 failed after %2 s: %3").arg(r.image).arg(r.seconds, 0, 'f', 1).arg(r.reason);
        m_lab->log()->post(r.passed ? Severity::Info : Severity::Warning, QStringLiteral("test"), text);
        statusBar()->showMessage(text, 15000);
        QMessageBox box(r.passed ? QMessageBox::Information : QMessageBox::Warning, tr("Test in a VM"), text,
            QMessageBox::Ok, this);
        box.setDetailedText(r.passed ? r.reason : r.console);
        box.exec();
    });
    QString error;
    if (!m_imageTest->start(tag, false, 600, &error)) {
        delete m_imageTest;
        m_imageTest = nullptr;
        QMessageBox::warning(this, tr("Test in a VM"), error);
        return;
    }
    statusBar()->showMessage(tr("Testing %1 in a virtual machine…").arg(tag));
}

void MainWindow::openConsole()
{
    const QStringList names = m_fleetView->selectedMachines();
    if (names.size() != 1)
        return;
    auto *view = new ConsoleView(names.first(), vmConsolePath(m_lab, names.first()), this);
    view->show();
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
