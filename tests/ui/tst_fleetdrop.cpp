// Dragging an image onto fleet rows: the mime data, a synthesized drop on the view, the
// confirmation, the assignments in the catalog, undo, and roll back from the menu.
#include "catalog/catalog.h"
#include "fleet/fleetactions.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "images/boottargetlist.h"
#include "images/imagemodel.h"
#include "images/imagepanel.h"
#include "log/logmodel.h"
#include "log/logview.h"
#include "main/mainwindow.h"
#include "testlab.h"
#include "userlog.h"
#include "util/currentuser.h"

#include <QApplication>
#include <QDropEvent>
#include <QItemSelectionModel>
#include <QMimeData>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTreeView>
#include <QUndoStack>

using namespace drover;
using namespace drover::test;

class TstFleetDrop : public QObject {
    Q_OBJECT

    TestLab m_t;

    void drop(QTreeView *table, int row, QMimeData *data)
    {
        const QModelIndex index = table->model()->index(row, 0);
        table->scrollTo(index);
        const QRect rect = table->visualRect(index).intersected(table->viewport()->rect());
        // Enter first: QApplication delivers move and drop to the widget the enter accepted.
        QDragEnterEvent enter(rect.center(), Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(table->viewport(), &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(rect.center(), Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(table->viewport(), &move);
        QDropEvent event(rect.center(), Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(table->viewport(), &event);
    }

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-fleetdrop")); }

    void init()
    {
        m_t = sqliteLab();
        QVERIFY(addTestMachines(m_t.lab->catalog(), 3, QStringLiteral("demo")));
        for (const char *v : { "1", "2" }) {
            QVERIFY(m_t.lab->catalog()
                    ->addImage(ImageRecord { 0, QStringLiteral("deb"), QString::fromLatin1(v),
                        QStringLiteral("sha256:") + QString(64, QLatin1Char(v[0])), 10, {}, {}, {} })
                    .ok());
        }
    }

    void cleanup() { m_t = TestLab(); }

    void imageMimeData()
    {
        ImageModel images(m_t.lab->catalog());
        std::unique_ptr<QMimeData> data(images.mimeData({ images.index(1, 0) }));
        QVERIFY(data);
        QCOMPARE(QString::fromUtf8(data->data(ImageModel::mimeType())), QStringLiteral("deb:2"));
        QVERIFY(images.flags(images.index(0, 0)) & Qt::ItemIsDragEnabled);
    }

    void dropOnSelectionThenUndo()
    {
        MainWindow w(m_t.lab.get());
        w.resize(1400, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QList<PlannedChange> confirmed;
        int asked = 0;
        w.fleetActions()->setConfirm([&confirmed, &asked](const QString &, const QList<PlannedChange> &changes) {
            confirmed = changes;
            ++asked;
            return true;
        });
        QTreeView *table = w.fleetView()->table();
        QTRY_COMPARE(table->model()->rowCount(), 3);
        // Select pc-01 and pc-02, drop deb:2 on pc-02: both get it, pc-03 does not.
        table->selectionModel()->select(
            table->model()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        table->selectionModel()->select(
            table->model()->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        auto *data = new QMimeData;
        data->setData(ImageModel::mimeType(), "deb:2");
        drop(table, 1, data);
        QCOMPARE(asked, 1);
        QCOMPARE(confirmed.size(), 2);
        Catalog *c = m_t.lab->catalog();
        QCOMPARE(c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-01"))->image, QStringLiteral("deb:2"));
        QCOMPARE(c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-02"))->image, QStringLiteral("deb:2"));
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-03")));
        QTRY_COMPARE(table->model()->index(0, FleetModel::AssignedImage).data().toString(), QStringLiteral("deb:2"));
        // The image counts its two machines; the log says who assigned what to whom.
        auto *images = w.imagePanel()->findChild<QTableView *>(QStringLiteral("imageTable"));
        QTRY_COMPARE(images->model()->index(1, ImageModel::Machines).data().toInt(), 2);
        const auto logged = [&w](const QString &what) { return userActionLogged(w.logView(), what); };
        QTRY_VERIFY(logged(QStringLiteral("assigned deb:2 to pc-01, pc-02")));

        // Undo (Edit › Undo) removes both, as no machine booted them; the log says so too.
        QVERIFY(w.undoStack()->canUndo());
        QAction *undo = nullptr;
        for (QAction *a : w.findChildren<QAction *>())
            undo = a->shortcut() == QKeySequence(QKeySequence::Undo) ? a : undo;
        QVERIFY(undo);
        undo->trigger();
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-01")));
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-02")));
        QTRY_VERIFY(logged(QStringLiteral("undid: ") + w.undoStack()->redoText()));
        QVERIFY(w.undoStack()->redoText().contains(QLatin1String("deb:2")));
        delete data;
    }

    // A boot target dragged from the list under the images: assigned like an image, shown by
    // name, undone like one.
    void dropBootTarget()
    {
        MainWindow w(m_t.lab.get());
        w.resize(1400, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.fleetActions()->setConfirm([](const QString &, const QList<PlannedChange> &) { return true; });
        auto *targets = w.findChild<BootTargetList *>(QStringLiteral("bootTargetList"));
        QVERIFY(targets);
        QCOMPARE(targets->count(), 3);
        QCOMPARE(targets->item(0)->text(), QStringLiteral("Local disk"));
        QVERIFY(targets->item(1)->flags() & Qt::ItemIsDragEnabled);
        // What the list puts in the drag: QAbstractItemView::startDrag asks its model, which
        // asks the list.
        std::unique_ptr<QMimeData> data(targets->model()->mimeData({ targets->model()->index(0, 0) }));
        QVERIFY(data);
        QCOMPARE(QString::fromUtf8(data->data(ImageModel::mimeType())), QStringLiteral("@local-disk"));
        QTreeView *table = w.fleetView()->table();
        QTRY_COMPARE(table->model()->rowCount(), 3);
        table->selectionModel()->clearSelection();
        drop(table, 2, data.get());
        Catalog *c = m_t.lab->catalog();
        QCOMPARE(
            c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-03"))->image, QStringLiteral("@local-disk"));
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-01")));
        QTRY_COMPARE(
            table->model()->index(2, FleetModel::AssignedImage).data().toString(), QStringLiteral("Local disk"));
        w.undoStack()->undo();
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-03")));
    }

    void declinedConfirmationChangesNothing()
    {
        MainWindow w(m_t.lab.get());
        w.fleetActions()->setConfirm([](const QString &, const QList<PlannedChange> &) { return false; });
        QVERIFY(!w.fleetActions()->assignToMachines({ QStringLiteral("pc-03") }, QStringLiteral("deb:1")));
        QVERIFY(!m_t.lab->catalog()->currentAssignment(TargetKind::Machine, QStringLiteral("pc-03")));
        QVERIFY(!w.undoStack()->canUndo());
    }

    void rollbackAppends()
    {
        MainWindow w(m_t.lab.get());
        w.fleetActions()->setConfirm([](const QString &, const QList<PlannedChange> &) { return true; });
        QVERIFY(w.fleetActions()->assignToGroup(QStringLiteral("demo"), QStringLiteral("deb:1")));
        QVERIFY(w.fleetActions()->assignToGroup(QStringLiteral("demo"), QStringLiteral("deb:2")));
        w.fleetActions()->rollbackMachines({ QStringLiteral("pc-03") });
        Catalog *c = m_t.lab->catalog();
        const auto history = c->history(TargetKind::Machine, QStringLiteral("pc-03"));
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.first().image, QStringLiteral("deb:1"));
        QVERIFY(history.first().why.contains(QLatin1String("roll back")));
    }
};

QTEST_MAIN(TstFleetDrop)
#include "tst_fleetdrop.moc"
