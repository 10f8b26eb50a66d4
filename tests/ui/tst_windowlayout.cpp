// The main window under Xvfb (a real X server, not the offscreen platform) at 1280×800 and
// 1920×1080, in a light and a dark palette, and (tst_windowlayout_hidpi) at twice the pixels:
// with a lab of several images and machines in every state, the server strip is one line,
// several images show with their use and test, no fleet column is cut, no cell wraps, and the
// colours that carry a state stay readable on the background. Each picture goes to
// DROVER_SCREENSHOT_DIR (docs/images) or the test's directory.
#include "boot/bootserver.h"
#include "catalog/catalog.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "fleet/rollout.h"
#include "fleet/rolloutengine.h"
#include "images/imagemodel.h"
#include "images/imagepanel.h"
#include "lab/lab.h"
#include "log/logbus.h"
#include "log/logmodel.h"
#include "log/logview.h"
#include "main/mainwindow.h"
#include "main/readablecolor.h"
#include "server/serverpanel.h"
#include "server/serverstrip.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QPalette>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace drover;
using namespace drover::test;

namespace {

// Every visible column of `header` ends inside the viewport: none is cut at the right edge.
QString cutColumns(const QHeaderView *header, int viewportWidth)
{
    QStringList cut;
    for (int c = 0; c < header->count(); ++c) {
        if (header->isSectionHidden(c))
            continue;
        const int right = header->sectionViewportPosition(c) + header->sectionSize(c);
        if (right > viewportWidth)
            cut.append(QStringLiteral("%1 (ends at %2 of %3)")
                    .arg(header->model()->headerData(c, Qt::Horizontal).toString())
                    .arg(right)
                    .arg(viewportWidth));
    }
    return cut.join(QStringLiteral(", "));
}

QPalette darkPalette()
{
    // What a dark desktop theme hands Qt: light text on dark grey.
    QPalette p;
    const QColor window(0x35, 0x35, 0x35), base(0x2a, 0x2a, 0x2a), text(0xe8, 0xe8, 0xe8);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Highlight, QColor(0x2a, 0x82, 0xda));
    p.setColor(QPalette::HighlightedText, Qt::black);
    return p;
}

} // namespace

class TstWindowLayout : public QObject {
    Q_OBJECT

    TestLab m_t;

private Q_SLOTS:
    void initTestCase()
    {
        // Only a real X server shows what users see: fonts, hinting, a window manager's sizes.
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        isolateSettings(QStringLiteral("drover-test-windowlayout"));
        m_t = sqliteLab();
        Catalog *c = m_t.lab->catalog();
        const QStringList images { QStringLiteral("debian-server:1"), QStringLiteral("debian-server:2"),
            QStringLiteral("debian-server:3"), QStringLiteral("debian-desktop-xfce:1"), QStringLiteral("inventory:1"),
            QStringLiteral("burnin:2") };
        for (const QString &tag : images) {
            auto image
                = addTestImage(m_t.lab.get(), tag.section(QLatin1Char(':'), 0, 0), tag.section(QLatin1Char(':'), 1));
            QVERIFY2(image, qPrintable(image ? QString() : image.error()));
        }
        // Machines in every state, with the longest names and images a lab gives them.
        const struct {
            const char *name;
            MachineState state;
            const char *phase;
            const char *current;
            const char *assigned;
        } machines[] = {
            { "room-101-pc-01", MachineState::Ready, "ready", "debian-server:3", "debian-server:3" },
            { "room-101-pc-02", MachineState::Ready, "ready", "debian-server:2", "debian-server:3" },
            { "room-101-pc-03", MachineState::Booting, "configured", "debian-server:2", "debian-server:3" },
            { "room-101-pc-04", MachineState::Failed, "fetched", "debian-server:3", "debian-server:3" },
            { "room-102-pc-01", MachineState::Offline, "", "debian-desktop-xfce:1", "debian-desktop-xfce:1" },
            { "new-525400123456", MachineState::Unknown, "", "", "" },
            { "bench-1", MachineState::Booting, "mounted", "inventory:1", "burnin:2" },
        };
        int i = 0;
        for (const auto &m : machines) {
            Machine record = testMachine(QLatin1String(m.name),
                QStringLiteral("52:54:00:00:0a:%1").arg(++i, 2, 16, QLatin1Char('0')), QStringLiteral("room-101"));
            QVERIFY(c->addMachine(record));
            if (*m.assigned)
                QVERIFY(
                    c->assign(TargetKind::Machine, record.name, QLatin1String(m.assigned), QStringLiteral("test"), {}));
            if (*m.current)
                QVERIFY(c->recordBootResult(record.name, QLatin1String(m.current), m.state == MachineState::Ready));
            if (m.state != MachineState::Unknown)
                QVERIFY(c->recordMachineSeen(
                    record.name, m.state, QLatin1String(m.phase), QStringLiteral("192.168.100.%1").arg(100 + i)));
        }
        // A rollout under way: debian-server:3 to room-102, its canary first.
        for (const char *name : { "room-102-pc-02", "room-102-pc-03", "room-102-pc-04" }) {
            Machine record = testMachine(QLatin1String(name),
                QStringLiteral("52:54:00:00:0a:%1").arg(++i, 2, 16, QLatin1Char('0')), QStringLiteral("room-102"));
            QVERIFY(c->addMachine(record));
            QVERIFY(c->recordBootResult(record.name, QStringLiteral("debian-server:2"), true));
            QVERIFY(c->recordMachineSeen(record.name, MachineState::Ready, QStringLiteral("ready")));
        }
        QVERIFY(c->assign(TargetKind::Group, QStringLiteral("room-102"), QStringLiteral("debian-server:2"),
            QStringLiteral("test"), {}));
        auto rollout = planRollout(*c, QStringLiteral("room-102"), QStringLiteral("debian-server:3"), { 1, false },
            { 100, true }, 60, 0, false, QStringLiteral("test"));
        QVERIFY2(rollout, qPrintable(rollout ? QString() : rollout.error()));
        QVERIFY(rollout->save(*c));
        RolloutEngine(c).tick();
    }

    void layout_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<bool>("dark");
        QTest::newRow("1280x800") << QSize(1280, 800) << false;
        QTest::newRow("1920x1080") << QSize(1920, 1080) << false;
        QTest::newRow("1280x800 dark") << QSize(1280, 800) << true;
    }

    void layout()
    {
        QFETCH(QSize, size);
        QFETCH(bool, dark);
        QSettings().clear(); // the defaults, not the last row's layout
        const QPalette light = QApplication::palette();
        const auto restorePalette = qScopeGuard([light] { QApplication::setPalette(light); });
        if (dark)
            QApplication::setPalette(darkPalette());
        MainWindow main(m_t.lab.get());
        m_t.lab->log()->post(Severity::Warning, QStringLiteral("server"), QStringLiteral("a warning to read"));
        BootServerSettings serving;
        serving.dhcpMode = DhcpMode::Off;
        // The HTTP port the kernel picks as the server binds it: a port found free a moment
        // before was taken by then, now and again (the strip shows the bound one).
        serving.httpPort = 0;
        serving.tftpPort = freeUdpPort();
        const Status serves = main.serverPanel()->server()->start(serving);
        QVERIFY2(serves, qPrintable(serves.error()));
        main.resize(size);
        main.show();
        QVERIFY(QTest::qWaitForWindowExposed(&main));
        QTest::qWait(300); // docks and headers settle after the first show
        // The picture first: when a check below fails, it shows why.
        const QString dir = qEnvironmentVariable("DROVER_SCREENSHOT_DIR", QDir::currentPath());
        const QString file = QDir(dir).filePath(QStringLiteral("main-window-%1x%2%3%4.png")
                .arg(size.width())
                .arg(size.height())
                .arg(main.devicePixelRatio() > 1 ? QStringLiteral("@%1x").arg(main.devicePixelRatio()) : QString(),
                    dark ? QStringLiteral("-dark") : QString()));
        QVERIFY2(main.grab().save(file), qPrintable(file));
        QCOMPARE(main.size(), size);
        // tst_windowlayout_hidpi: the window really is drawn at the scale asked for.
        if (qEnvironmentVariableIsSet("QT_SCALE_FACTOR"))
            QCOMPARE(main.devicePixelRatio(), qEnvironmentVariable("QT_SCALE_FACTOR").toDouble());
        // The left column's panels fit its width: nothing there scrolls sideways.
        for (const char *area : { "imageDock", "serverDock", "detailsDock" }) {
            QDockWidget *d = main.dock(QLatin1String(area));
            d->raise(); // the server and the machine share a place: each in turn
            QTest::qWait(50);
            auto *scroll = qobject_cast<QScrollArea *>(d->widget());
            const int needs = scroll ? scroll->widget()->minimumSizeHint().width() : d->minimumSizeHint().width();
            const int has = scroll ? scroll->viewport()->width() : d->width();
            QVERIFY2(needs <= has,
                qPrintable(QStringLiteral("%1 needs %2 px, has %3").arg(QLatin1String(area)).arg(needs).arg(has)));
        }

        // The strip: one line, in view, while serving.
        ServerStrip *strip = main.serverStrip();
        QCOMPARE(strip->light()->property("state").toString(), QStringLiteral("running"));
        QVERIFY(strip->isVisible());
        QVERIFY2(strip->summary()->height() < 2 * strip->summary()->fontMetrics().height(),
            qPrintable(QString::number(strip->summary()->height())));
        QVERIFY(strip->summary()->visibleRegion().boundingRect().width() > 200);

        // The fleet: every machine's row one line high, every visible column whole, the name,
        // state and images of each machine readable in full.
        QTreeView *fleet = main.fleetView()->table();
        QCOMPARE(main.fleetView()->model()->rowCount(), 10);
        QVERIFY(!fleet->wordWrap());
        QVERIFY2(cutColumns(fleet->header(), fleet->viewport()->width()).isEmpty(),
            qPrintable(cutColumns(fleet->header(), fleet->viewport()->width())));
        QVERIFY(!fleet->horizontalScrollBar()->isVisible());
        const QFontMetrics metrics = fleet->fontMetrics();
        for (int row = 0; row < fleet->model()->rowCount(); ++row) {
            for (int column : { FleetModel::Name, FleetModel::Status, FleetModel::CurrentImage,
                     FleetModel::AssignedImage, FleetModel::LastSeen }) {
                const QModelIndex index = fleet->model()->index(row, column);
                const QRect cell = fleet->visualRect(index);
                QVERIFY2(cell.height() < 2 * metrics.height(), "a fleet row is taller than one line");
                // The state's cell draws an icon (and a shield) before the text.
                const int decoration = column == FleetModel::Status ? 2 * metrics.height() + 8 : 8;
                // An image column must show the tag whole; a rollout's note after it may elide.
                const bool image = column == FleetModel::CurrentImage || column == FleetModel::AssignedImage;
                const QString text
                    = index.data(image ? int(FleetModel::ImageTagRole) : int(Qt::DisplayRole)).toString();
                if (image)
                    QVERIFY(index.data().toString().startsWith(text));
                QVERIFY2(metrics.horizontalAdvance(text) + decoration <= cell.width(),
                    qPrintable(QStringLiteral("'%1' needs %2 px in a %3 px cell of %4")
                            .arg(text)
                            .arg(metrics.horizontalAdvance(text) + decoration)
                            .arg(cell.width())
                            .arg(fleet->model()->headerData(column, Qt::Horizontal).toString())));
            }
            // The state's colour on the table's background, light or dark.
            const QModelIndex status = fleet->model()->index(row, FleetModel::Status);
            const QColor color = status.data(Qt::ForegroundRole).value<QColor>();
            const QColor base = fleet->palette().color(QPalette::Base);
            QVERIFY2(contrastRatio(color, base) >= 4.5,
                qPrintable(QStringLiteral("%1 on %2: contrast %3")
                        .arg(color.name(), base.name())
                        .arg(contrastRatio(color, base))));
        }
        // A warning in the log, as readable.
        const auto *log = main.logView()->filter();
        QTRY_VERIFY(log->rowCount() > 0);
        QColor warning;
        for (int row = 0; row < log->rowCount(); ++row) {
            if (log->index(row, LogModel::Text).data().toString() == QLatin1String("a warning to read"))
                warning = log->index(row, LogModel::Text).data(Qt::ForegroundRole).value<QColor>();
        }
        QVERIFY(warning.isValid());
        QVERIFY(contrastRatio(warning, main.logView()->palette().color(QPalette::Base)) >= 4.5);

        // The images: at least five rows in view, with how many machines use each and its test.
        auto *images = main.imagePanel()->findChild<QTableView *>(QStringLiteral("imageTable"));
        QVERIFY(images);
        QCOMPARE(images->model()->rowCount(), 6);
        const int rowHeight = images->rowHeight(0);
        QVERIFY2(images->viewport()->height() >= 5 * rowHeight,
            qPrintable(QStringLiteral("%1 px show fewer than 5 rows of %2 px")
                    .arg(images->viewport()->height())
                    .arg(rowHeight)));
        for (int column : { ImageModel::Name, ImageModel::Version, ImageModel::Machines, ImageModel::Tested })
            QVERIFY(!images->isColumnHidden(column));
        QVERIFY2(cutColumns(images->horizontalHeader(), images->viewport()->width()).isEmpty(),
            qPrintable(cutColumns(images->horizontalHeader(), images->viewport()->width())));
    }

    void cleanupTestCase() { m_t = TestLab(); }
};

QTEST_MAIN(TstWindowLayout)
#include "tst_windowlayout.moc"
