// The item models under QAbstractItemModelTester: fleet, images, log.
#include "catalog/catalog.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetsummary.h"
#include "fleet/fleetview.h"
#include "fleet/statusdelegate.h"
#include "images/imagemodel.h"
#include "log/catalogeventfeed.h"
#include "log/logmodel.h"
#include "log/logview.h"
#include "testlab.h"
#include "vm/imagetest.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryFile>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace drover;
using namespace drover::test;

class TstModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fleetFollowsCatalog()
    {
        TestLab t = sqliteLab();
        FleetModel model(t.lab->catalog());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        m.labels.insert(QStringLiteral("group"), QStringLiteral("lab"));
        QVERIFY(t.lab->catalog()->addMachine(m).ok());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, FleetModel::Status).data().toString(), QStringLiteral("unknown"));
        QVERIFY(t.lab->catalog()
                ->addImage(ImageRecord { 0, QStringLiteral("deb"), QStringLiteral("1"),
                    QStringLiteral("sha256:") + QString(64, QLatin1Char('1')), 5, {}, {}, {} })
                .ok());
        QVERIFY(
            t.lab->catalog()->assign(TargetKind::Group, QStringLiteral("lab"), QStringLiteral("deb:1"), {}, {}).ok());
        QCOMPARE(model.index(0, FleetModel::AssignedImage).data().toString(), QStringLiteral("deb:1"));
        QVERIFY(t.lab->catalog()
                ->recordMachineSeen(QStringLiteral("pc-01"), MachineState::Failed, QStringLiteral("verify"))
                .ok());
        QCOMPARE(model.index(0, FleetModel::Status).data().toString(), QStringLiteral("failed: verify"));
        QVERIFY(!model.index(0, FleetModel::Status).data(Qt::DecorationRole).isNull());

        ImageModel images(t.lab->catalog());
        QAbstractItemModelTester imageTester(&images, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(images.rowCount(), 1);
        QCOMPARE(images.index(0, ImageModel::Machines).data().toInt(), 1);
        // A test in a VM shows up in its column, live, without resetting the model.
        QCOMPARE(images.index(0, ImageModel::Tested).data().toString(), QStringLiteral("—"));
        QSignalSpy resets(&images, &QAbstractItemModel::modelReset);
        ImageTestResult verdict;
        verdict.image = QStringLiteral("deb:1");
        verdict.reason = QStringLiteral("check 50-service exited 1");
        QVERIFY(recordImageTest(*t.lab->catalog(), verdict).ok());
        QTRY_COMPARE(images.index(0, ImageModel::Tested).data().toString(), QStringLiteral("failed"));
        QVERIFY(images.index(0, ImageModel::Tested).data(Qt::ToolTipRole).toString().contains(verdict.reason));
        QVERIFY(!images.index(0, ImageModel::Tested).data(Qt::DecorationRole).isNull());
        QCOMPARE(resets.count(), 0);
    }

    void fleetShowsSecureBoot()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        FleetModel model(c);
        for (const QString &name : { QStringLiteral("pc-01"), QStringLiteral("pc-02") }) {
            Machine m;
            m.name = name;
            m.mac = QStringLiteral("52:54:00:00:00:0") + name.right(1);
            QVERIFY(c->addMachine(m).ok());
        }
        FirmwareFacts facts;
        facts.firmware = QStringLiteral("uefi");
        facts.secureBoot = QStringLiteral("on");
        facts.protocol = QStringLiteral("pxe");
        facts.loader = QStringLiteral("grub");
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), facts).ok());
        facts.secureBoot = QStringLiteral("off");
        facts.loader = QStringLiteral("ipxe");
        QVERIFY(c->recordFirmware(QStringLiteral("pc-02"), facts).ok());
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex on = model.index(0, FleetModel::Status);
        const QModelIndex off = model.index(1, FleetModel::Status);
        QCOMPARE(on.data(FleetModel::MachineNameRole).toString(), QStringLiteral("pc-01"));
        QVERIFY(on.data(FleetModel::SecureBootRole).toBool());
        QVERIFY(!off.data(FleetModel::SecureBootRole).toBool());
        QVERIFY2(on.data(Qt::ToolTipRole).toString().contains(QStringLiteral("Secure Boot on, PXE → shim → GRUB")),
            qPrintable(on.data(Qt::ToolTipRole).toString()));
        // The shield takes room beside the state's icon: the cell of the Secure Boot machine
        // is wider by an icon, the other one is not.
        FleetView view(&model);
        view.resize(900, 300);
        const QModelIndex shown = view.table()->model()->index(0, FleetModel::Status);
        const QModelIndex plain = view.table()->model()->index(1, FleetModel::Status);
        QStyleOptionViewItem option;
        option.initFrom(view.table());
        option.decorationSize = QSize(16, 16);
        QAbstractItemDelegate *delegate = view.table()->itemDelegateForIndex(shown);
        QVERIFY(qobject_cast<StatusDelegate *>(delegate));
        const int wide = delegate->sizeHint(option, shown).width();
        const int narrow = delegate->sizeHint(option, plain).width();
        QVERIFY2(wide >= narrow + 16, qPrintable(QStringLiteral("%1 vs %2").arg(wide).arg(narrow)));
    }

    void logCapacityAndFilter()
    {
        LogBus bus;
        LogModel model(&bus, nullptr, 100);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 250; ++i)
            bus.post(i % 10 ? Severity::Info : Severity::Error, QStringLiteral("boot"),
                QStringLiteral("step %1").arg(i), i % 2 ? QStringLiteral("pc-odd") : QStringLiteral("pc-even"));
        QTRY_COMPARE(model.rowCount(), 100); // shown at the next batch
        model.flush();
        QVERIFY(model.rowCount() <= 100);
        QCOMPARE(model.index(model.rowCount() - 1, LogModel::Text).data().toString(), QStringLiteral("step 249"));

        LogFilterModel filter;
        filter.setSourceModel(&model);
        filter.setMinimumSeverity(int(Severity::Error));
        for (int row = 0; row < filter.rowCount(); ++row)
            QCOMPARE(filter.index(row, LogModel::Severity).data().toString(), severityName(Severity::Error));
        QVERIFY(filter.rowCount() > 0);
        filter.setMinimumSeverity(int(Severity::Debug));
        filter.setText(QStringLiteral("pc-odd"));
        QCOMPARE(filter.rowCount(), model.rowCount() / 2);
    }

    // The log shows the boot events of every Drover on the catalog: one written by a second
    // instance appears within a second, and this process's own appear once, not twice.
    void logShowsEveryInstancesBootEvents()
    {
        TestLab t = sqliteLab();
        BootEvent before { 0, QDateTime::currentDateTimeUtc(), QStringLiteral("pc-01"),
            QStringLiteral("52:54:00:00:00:01"), {}, QStringLiteral("ready"), QStringLiteral("web:1"),
            QStringLiteral("info"), QStringLiteral("earlier boot") };
        QVERIFY(t.lab->catalog()->addEvent(before));
        LogModel model(t.lab->log(), nullptr, 1000);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        CatalogEventFeed feed(t.lab->catalog(), 100);
        model.takeBootEventsFrom(&feed);
        feed.start();
        QTRY_COMPARE(model.rowCount(), 1); // the backlog
        QCOMPARE(model.index(0, LogModel::Text).data().toString(), QStringLiteral("earlier boot"));

        auto second = Lab::open(LabOptions { t.dir->path(), t.lab->catalog()->url() });
        QVERIFY2(second, qPrintable(second.error()));
        BootEvent other { 0, QDateTime::currentDateTimeUtc(), QStringLiteral("pc-02"),
            QStringLiteral("52:54:00:00:00:02"), {}, QStringLiteral("failed"), QStringLiteral("web:2"),
            QStringLiteral("error"), QStringLiteral("layer 1: digest mismatch") };
        QVERIFY((*second)->catalog()->addEvent(other));
        QElapsedTimer clock;
        clock.start();
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, 1000);
        qInfo("another instance's event shown after %lld ms", clock.elapsed());
        QCOMPARE(model.index(1, LogModel::Machine).data().toString(), QStringLiteral("pc-02"));
        QCOMPARE(model.index(1, LogModel::Phase).data().toString(), QStringLiteral("failed"));
        QCOMPARE(model.index(1, LogModel::Severity).data().toString(), severityName(Severity::Error));

        // This process's boot event: on the bus at once (the recorder posts it there) and in
        // the catalog; shown once, from the catalog.
        LogEntry own { QDateTime::currentDateTimeUtc(), Severity::Info, QStringLiteral("boot"), QStringLiteral("pc-03"),
            QStringLiteral("dhcp"), QStringLiteral("offered 10.0.0.3"), true };
        t.lab->log()->post(own);
        QVERIFY(t.lab->catalog()->addEvent(
            BootEvent { 0, own.time, own.machine, {}, {}, own.phase, {}, QStringLiteral("info"), own.text }));
        t.lab->log()->post(Severity::Info, QStringLiteral("server"), QStringLiteral("serving on lab0"));
        QTRY_COMPARE(model.rowCount(), 4);
        QTest::qWait(300);
        model.flush();
        QCOMPARE(model.rowCount(), 4);
        int dhcp = 0;
        for (int row = 0; row < model.rowCount(); ++row)
            dhcp += model.index(row, LogModel::Text).data().toString() == QLatin1String("offered 10.0.0.3");
        QCOMPARE(dhcp, 1);
    }

    // The log's filters: phase, time, and the machines selected in the fleet table.
    void logFilters()
    {
        LogBus bus;
        LogModel model(&bus, nullptr, 100);
        LogView view(&model);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        model.append({ now.addSecs(-7200), Severity::Info, QStringLiteral("boot"), QStringLiteral("pc-01"),
            QStringLiteral("dhcp"), QStringLiteral("old offer") });
        model.append({ now, Severity::Info, QStringLiteral("boot"), QStringLiteral("pc-01"), QStringLiteral("ready"),
            QStringLiteral("pc-01 ready") });
        model.append({ now, Severity::Error, QStringLiteral("boot"), QStringLiteral("pc-02"), QStringLiteral("failed"),
            QStringLiteral("pc-02 failed") });
        model.append({ now, Severity::Info, QStringLiteral("server"), {}, {}, QStringLiteral("serving") });
        model.flush();
        LogFilterModel *filter = view.filter();
        QCOMPARE(filter->rowCount(), 4);

        view.phaseFilter()->setCurrentIndex(view.phaseFilter()->findData(QStringLiteral("ready")));
        QCOMPARE(filter->rowCount(), 1);
        QCOMPARE(filter->index(0, LogModel::Text).data().toString(), QStringLiteral("pc-01 ready"));
        view.phaseFilter()->setCurrentIndex(0);

        view.timeFilter()->setCurrentIndex(view.timeFilter()->findData(3600));
        QCOMPARE(filter->rowCount(), 3); // not the offer of two hours ago
        view.timeFilter()->setCurrentIndex(0);

        QVERIFY(!view.selectedMachinesButton()->isEnabled()); // nothing selected in the fleet
        view.setSelectedMachines({ QStringLiteral("pc-02") });
        QVERIFY(view.selectedMachinesButton()->isEnabled());
        view.selectedMachinesButton()->click();
        QCOMPARE(filter->rowCount(), 1);
        QCOMPARE(filter->index(0, LogModel::Machine).data().toString(), QStringLiteral("pc-02"));
        view.setSelectedMachines({ QStringLiteral("pc-01"), QStringLiteral("pc-02") }); // follows the selection
        QCOMPARE(filter->rowCount(), 3);
        view.setSelectedMachines({});
        QVERIFY(!view.selectedMachinesButton()->isChecked());
        QCOMPARE(filter->rowCount(), 4);
    }

    // The dashboard line counts the catalog's machines by state, following changes.
    void fleetSummaryCounts()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        FleetSummary summary(c);
        QCOMPARE(summary.text(), QStringLiteral("0 machine(s)")); // the source text: no translator here
        QList<Machine> seen;
        for (int i = 1; i <= 5; ++i) {
            Machine m;
            m.name = QStringLiteral("pc-%1").arg(i);
            m.mac = QStringLiteral("52:54:00:00:00:0%1").arg(i);
            QVERIFY(c->addMachine(m));
            m.state = i <= 2 ? MachineState::Ready : i == 3 ? MachineState::Booting : MachineState::Failed;
            if (i < 5)
                seen.append(m);
        }
        QVERIFY(c->recordMachinesSeen(seen));
        QTRY_COMPARE(summary.text(), QStringLiteral("5 machine(s): 2 ready · 1 booting · 1 failed · 1 not booted yet"));
    }

    void logFloodArrivesInBatches()
    {
        // A boot storm: 20,000 lines as fast as the bus takes them. The view must see a few
        // batched insertions, not one per line, and the newest lines last.
        LogBus bus;
        LogModel model(&bus, nullptr, 5000);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        for (int burst = 0; burst < 4; ++burst) {
            for (int i = 0; i < 5000; ++i)
                bus.post(Severity::Info, QStringLiteral("boot"), QStringLiteral("line %1").arg(burst * 5000 + i));
            QTRY_VERIFY(inserted.size() > burst);
        }
        model.flush();
        QCOMPARE(model.rowCount(), 5000);
        QVERIFY2(inserted.size() <= 8, qPrintable(QString::number(inserted.size())));
        QVERIFY2(removed.size() <= 8, qPrintable(QString::number(removed.size())));
        QCOMPARE(model.index(4999, LogModel::Text).data().toString(), QStringLiteral("line 19999"));
        QCOMPARE(model.index(0, LogModel::Text).data().toString(), QStringLiteral("line 15000"));
    }
};

QTEST_MAIN(TstModels)
#include "tst_models.moc"
