// The catalog on both backends: machines, labels, images, assignments and their history,
// events, machine and group configuration, migrations from every earlier schema version, and
// lost-update protection.
#include "catalog/catalog.h"
#include "catalog/migrations.h"
#include "machineconfig/machineconfig.h"
#include "testlab.h"

#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace drover;
using namespace drover::test;

class TstCatalog : public QObject {
    Q_OBJECT

private:
    TestLab open()
    {
        QFETCH(QString, backend);
        QString why;
        TestLab t = openTestLab(backend, &why);
        if (!t.lab)
            qFatal("cannot open a %s catalog: %s", qPrintable(backend), qPrintable(why));
        return t;
    }

    static Machine machine(const QString &name, const QString &mac, const QString &group = {})
    {
        Machine m;
        m.name = name;
        m.mac = mac;
        if (!group.isEmpty())
            m.labels.insert(QStringLiteral("group"), group);
        return m;
    }

    static ImageRecord image(const QString &name, const QString &version, char digit)
    {
        return ImageRecord { 0, name, version, QStringLiteral("sha256:") + QString(64, QLatin1Char(digit)), 1000, {},
            {}, {} };
    }

private Q_SLOTS:
    void machines_data() { addBackendRows(); }
    void machines()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QCOMPARE(c->schemaVersion(), Catalog::latestSchemaVersion());
        auto a = c->addMachine(
            machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:AA:00:01"), QStringLiteral("lab")));
        QVERIFY2(a.ok(), qPrintable(a.error()));
        QCOMPARE(a->mac, QStringLiteral("52:54:00:aa:00:01"));
        QCOMPARE(a->group(), QStringLiteral("lab"));

        auto dupName = c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:02")));
        QVERIFY(!dupName.ok());
        QVERIFY2(dupName.error().contains(QLatin1String("pc-01")), qPrintable(dupName.error()));
        auto dupMac = c->addMachine(machine(QStringLiteral("pc-02"), QStringLiteral("52:54:00:aa:00:01")));
        QVERIFY(!dupMac.ok());
        QVERIFY2(dupMac.error().contains(QLatin1String("belongs to machine 'pc-01'")), qPrintable(dupMac.error()));

        QVERIFY(c->machineByMac(QStringLiteral("52:54:00:AA:00:01")).has_value());
        QVERIFY(!c->machineByMac(QStringLiteral("52:54:00:aa:00:09")).has_value());
        QVERIFY(c->setLabel(QStringLiteral("pc-01"), QStringLiteral("room"), QStringLiteral("b12")).ok());
        QCOMPARE(
            c->machineByName(QStringLiteral("pc-01"))->labels.value(QStringLiteral("room")), QStringLiteral("b12"));
        QVERIFY(c->setLabel(QStringLiteral("pc-01"), QStringLiteral("room"), QString()).ok());
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->labels.contains(QStringLiteral("room")));

        QVERIFY(
            c->recordMachineSeen(
                 QStringLiteral("pc-01"), MachineState::Booting, QStringLiteral("kernel"), QStringLiteral("10.0.0.5"))
                .ok());
        auto seen = c->machineByName(QStringLiteral("pc-01"));
        QCOMPARE(seen->state, MachineState::Booting);
        QCOMPARE(seen->address, QStringLiteral("10.0.0.5"));
        QVERIFY(seen->lastSeen.isValid());

        QVERIFY(c->removeMachine(QStringLiteral("pc-01")).ok());
        QVERIFY(!c->removeMachine(QStringLiteral("pc-01")).ok());
        QVERIFY(c->machines().isEmpty());
    }

    void lostUpdate_data() { addBackendRows(); }
    void lostUpdate()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"))).ok());
        Machine first = *c->machineByName(QStringLiteral("pc-01"));
        Machine second = first;
        first.serial = QStringLiteral("AAA");
        second.serial = QStringLiteral("BBB");
        QVERIFY(c->updateMachine(first).ok());
        auto stale = c->updateMachine(second);
        QVERIFY(!stale.ok());
        QVERIFY2(stale.error().contains(QLatin1String("changed by someone else")), qPrintable(stale.error()));
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->serial, QStringLiteral("AAA"));
    }

    void firmwareFacts_data() { addBackendRows(); }
    void firmwareFacts()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"))).ok());
        QVERIFY(c->machineByName(QStringLiteral("pc-01"))->firmware.isEmpty());
        // DHCP knows the firmware, architecture and protocol; the init knows Secure Boot.
        FirmwareFacts dhcp;
        dhcp.firmware = QStringLiteral("uefi");
        dhcp.arch = QStringLiteral("x86-64");
        dhcp.protocol = QStringLiteral("pxe");
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), dhcp).ok());
        FirmwareFacts init;
        init.secureBoot = QStringLiteral("on");
        init.firmware = QStringLiteral("uefi");
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), init).ok());
        const Machine m = *c->machineByName(QStringLiteral("pc-01"));
        QCOMPARE(m.firmware.firmware, QStringLiteral("uefi"));
        QCOMPARE(m.firmware.arch, QStringLiteral("x86-64"));
        QCOMPARE(m.firmware.secureBoot, QStringLiteral("on"));
        QCOMPARE(m.firmware.protocol, QStringLiteral("pxe"));
        QCOMPARE(m.firmware.loader, QString());
        // Every boot repeats the same facts: no write, no change signal, no revision.
        QSignalSpy changed(c, &Catalog::changed);
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), dhcp).ok());
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), init).ok());
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->revision, m.revision);
        QCOMPARE(changed.count(), 0);
        // A new fact replaces the old one; the others stay.
        FirmwareFacts off;
        off.secureBoot = QStringLiteral("off");
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), off).ok());
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->firmware.secureBoot, QStringLiteral("off"));
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->firmware.arch, QStringLiteral("x86-64"));
        QCOMPARE(changed.count(), 1);
        // An admin's edit of the machine keeps them.
        Machine edited = *c->machineByName(QStringLiteral("pc-01"));
        edited.serial = QStringLiteral("S1");
        QVERIFY(c->updateMachine(edited).ok());
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->firmware.protocol, QStringLiteral("pxe"));
    }

    void inventoryHistory_data() { addBackendRows(); }
    void inventoryHistory()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"))).ok());
        QVERIFY(!c->inventory(QStringLiteral("pc-01")));
        HardwareInventory hw;
        hw.systemSerial = QStringLiteral("SN-1");
        hw.memoryKib = 4 * 1024 * 1024;
        hw.disks = { DiskInfo { QStringLiteral("vda"), {}, QStringLiteral("D1"), 1 << 30, false, {} },
            DiskInfo { QStringLiteral("vdb"), {}, QStringLiteral("D2"), 2LL << 30, false, {} } };
        hw.nics = { NicInfo { QStringLiteral("eth0"), QStringLiteral("52:54:00:aa:00:01"), QStringLiteral("e1000"),
            QStringLiteral("8086:100e"), 1000 } };
        auto first = c->recordInventory(QStringLiteral("pc-01"), QStringLiteral("b1"), hw, 1000);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QCOMPARE(first->hardware, hw);
        QVERIFY(first->changes.isEmpty());
        // The first report is no change, and fills in the serial number the machine lacked.
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->hardwareChanged.isValid());
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->serial, QStringLiteral("SN-1"));

        // The same hardware, another link speed: the newest record is refreshed, not repeated.
        HardwareInventory slower = hw;
        slower.nics[0].speedMbps = 100;
        QVERIFY(c->recordInventory(QStringLiteral("pc-01"), QStringLiteral("b2"), slower, 2000).ok());
        QCOMPARE(c->inventoryHistory(QStringLiteral("pc-01")).size(), 1);
        QCOMPARE(c->inventory(QStringLiteral("pc-01"))->hardware.nics[0].speedMbps, 100);
        QCOMPARE(c->inventory(QStringLiteral("pc-01"))->lastSeen.toMSecsSinceEpoch(), 2000);
        QCOMPARE(c->inventory(QStringLiteral("pc-01"))->bootId, QStringLiteral("b1"));

        // A disk swapped and memory gone: a new record, the changes in words, the machine marked.
        HardwareInventory swapped = hw;
        swapped.memoryKib = 2 * 1024 * 1024;
        swapped.disks[1].serial = QStringLiteral("D3");
        auto changed = c->recordInventory(QStringLiteral("pc-01"), QStringLiteral("b3"), swapped, 3000);
        QVERIFY2(changed.ok(), qPrintable(changed.error()));
        QCOMPARE(changed->bootId, QStringLiteral("b3"));
        const QString words = changed->changes.join(QLatin1Char('|'));
        QVERIFY2(words.contains(QStringLiteral("memory 4.0 GiB → 2.0 GiB")), qPrintable(words));
        QVERIFY2(words.contains(QLatin1String("disk vdb (D2, 2.0 GiB) removed")), qPrintable(words));
        QVERIFY2(words.contains(QLatin1String("disk vdb (D3, 2.0 GiB) added")), qPrintable(words));
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->hardwareChanged.toMSecsSinceEpoch(), 3000);
        const QList<InventoryRecord> history = c->inventoryHistory(QStringLiteral("pc-01"));
        QCOMPARE(history.size(), 2);
        QCOMPARE(history[0].hardware, swapped);
        QCOMPARE(history[1].hardware, slower);
        QCOMPARE(c->latestInventories().value(QStringLiteral("pc-01")).hardware, swapped);

        QVERIFY(c->acknowledgeHardwareChange(QStringLiteral("pc-01")).ok());
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->hardwareChanged.isValid());
        QVERIFY(!c->acknowledgeHardwareChange(QStringLiteral("nobody")).ok());
        QVERIFY(!c->recordInventory(QStringLiteral("nobody"), QStringLiteral("b4"), hw).ok());

        // A machine whose report flips every boot keeps a bounded history.
        for (int i = 0; i < 60; ++i) {
            HardwareInventory flip = hw;
            flip.memoryKib = (i % 2 ? 8 : 16) * 1024 * 1024;
            QVERIFY(c->recordInventory(QStringLiteral("pc-01"), QStringLiteral("f%1").arg(i), flip, 4000 + i).ok());
        }
        QCOMPARE(c->inventoryHistory(QStringLiteral("pc-01"), 1000).size(), 50);
        // Removing the machine removes its hardware.
        QVERIFY(c->removeMachine(QStringLiteral("pc-01")).ok());
        QVERIFY(c->latestInventories().isEmpty());
    }

    void testRunHistory_data() { addBackendRows(); }
    void testRunHistory()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"))).ok());
        QVERIFY(c->testRuns(QStringLiteral("pc-01")).isEmpty());
        TestReport passing { QStringLiteral("burn-in"),
            { TestResult { QStringLiteral("10-cpu-memory"), true, 5000, { { QStringLiteral("memory_mib"), 1987.5 } },
                  QStringLiteral("ok") },
                TestResult { QStringLiteral("20-disk-read"), true, 800, {}, {} } } };
        auto run = c->recordTestRun(QStringLiteral("pc-01"), QStringLiteral("b1"), passing, 1000);
        QVERIFY2(run.ok(), qPrintable(run.error()));
        QVERIFY(run->passed);
        QCOMPARE(run->tests, passing.tests);
        QCOMPARE(run->at.toMSecsSinceEpoch(), 1000);
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->burninFailed.isValid());

        TestReport failing = passing;
        failing.tests[1].passed = false;
        QVERIFY(c->recordTestRun(QStringLiteral("pc-01"), QStringLiteral("b2"), failing, 2000).ok());
        QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->burninFailed.toMSecsSinceEpoch(), 2000);
        const QList<TestRunRecord> runs = c->testRuns(QStringLiteral("pc-01"));
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].bootId, QStringLiteral("b2"));
        QVERIFY(!runs[0].passed);
        QCOMPARE(runs[1].suite, QStringLiteral("burn-in"));
        // The mark survives a rename, and passing runs; clearing it takes a person.
        QVERIFY(c->renameMachines({ { QStringLiteral("pc-01"), QStringLiteral("lab-01") } }).ok());
        QVERIFY(c->recordTestRun(QStringLiteral("lab-01"), QStringLiteral("b3"), passing, 3000).ok());
        QVERIFY(c->machineByName(QStringLiteral("lab-01"))->burninFailed.isValid());
        QCOMPARE(c->testRuns(QStringLiteral("lab-01")).size(), 3);
        QVERIFY(c->clearBurninFailure(QStringLiteral("lab-01")).ok());
        QVERIFY(!c->machineByName(QStringLiteral("lab-01"))->burninFailed.isValid());
        QVERIFY(!c->recordTestRun(QStringLiteral("nobody"), QStringLiteral("b4"), passing).ok());
        for (int i = 0; i < 55; ++i)
            QVERIFY(c->recordTestRun(QStringLiteral("lab-01"), QStringLiteral("r%1").arg(i), passing, 4000 + i).ok());
        QCOMPARE(c->testRuns(QStringLiteral("lab-01"), 1000).size(), 50);
        QVERIFY(c->removeMachine(QStringLiteral("lab-01")).ok());
        QVERIFY(c->testRuns(QStringLiteral("lab-01")).isEmpty());
    }

    void assignments_data() { addBackendRows(); }
    void assignments()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QVERIFY(
            c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"), QStringLiteral("lab")))
                .ok());
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-02"), QStringLiteral("52:54:00:aa:00:02"))).ok());
        QVERIFY(c->addImage(image(QStringLiteral("debian"), QStringLiteral("1"), 'a')).ok());
        QVERIFY(c->addImage(image(QStringLiteral("debian"), QStringLiteral("2"), 'b')).ok());

        // A tag never moves: same tag, other manifest is refused; the same one is harmless.
        QVERIFY(!c->addImage(image(QStringLiteral("debian"), QStringLiteral("1"), 'c')).ok());
        QVERIFY(c->addImage(image(QStringLiteral("debian"), QStringLiteral("1"), 'a')).ok());

        QVERIFY(!c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("debian:9"), {}, {}).ok());
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("debian:1"), QStringLiteral("t"), {}).ok());
        QVERIFY(c->assign(TargetKind::Group, QStringLiteral("lab"), QStringLiteral("debian:2"), QStringLiteral("t"), {})
                .ok());
        const Machine m1 = *c->machineByName(QStringLiteral("pc-01"));
        const Machine m2 = *c->machineByName(QStringLiteral("pc-02"));
        QCOMPARE(c->effectiveAssignment(m1)->image, QStringLiteral("debian:2"));
        QCOMPARE(c->effectiveAssignment(m2)->image, QStringLiteral("debian:1"));

        auto own = c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("debian:1"),
            QStringLiteral("alice"), QStringLiteral("pin to v1"));
        QVERIFY(own.ok());
        QCOMPARE(c->effectiveAssignment(m1)->image, QStringLiteral("debian:1"));
        const auto history = c->history(TargetKind::Machine, QStringLiteral("pc-01"));
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.first().who, QStringLiteral("alice"));
        QCOMPARE(history.first().why, QStringLiteral("pin to v1"));
        QCOMPARE(c->machinesPerImage().value(QStringLiteral("debian:1")), 2);

        QVERIFY(!c->removeImage(QStringLiteral("debian:1")).ok()); // still assigned
        QVERIFY(c->removeAssignment(own->id).ok());
        QCOMPARE(c->effectiveAssignment(m1)->image, QStringLiteral("debian:2"));
    }

    // effectiveAssignments() (one query, for the fleet table and the image list) decides as
    // effectiveAssignment() does for each machine: its own pin, its group's, the default, or none.
    void effectiveAssignmentsAgree_data() { addBackendRows(); }
    void effectiveAssignmentsAgree()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        const QString lab = QStringLiteral("lab");
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"), lab)).ok());
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-02"), QStringLiteral("52:54:00:aa:00:02"))).ok());
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-03"), QStringLiteral("52:54:00:aa:00:03"), lab)).ok());
        QVERIFY(
            c->addMachine(
                 machine(QStringLiteral("pc-04"), QStringLiteral("52:54:00:aa:00:04"), QStringLiteral("other")))
                .ok());
        QVERIFY(c->addImage(image(QStringLiteral("debian"), QStringLiteral("1"), 'a')).ok());
        QVERIFY(c->addImage(image(QStringLiteral("debian"), QStringLiteral("2"), 'b')).ok());
        const auto agree = [c] {
            const QList<Machine> machines = c->machines();
            const auto all = c->effectiveAssignments(machines);
            QCOMPARE(all.size(), machines.size());
            for (int i = 0; i < machines.size(); ++i) {
                const auto one = c->effectiveAssignment(machines.at(i));
                QCOMPARE(bool(all.at(i)), bool(one));
                if (one)
                    QCOMPARE(all.at(i)->id, one->id);
            }
        };
        agree(); // nothing assigned: none for anyone
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("debian:1"), QStringLiteral("t"), {}).ok());
        QVERIFY(c->assign(TargetKind::Group, lab, QStringLiteral("debian:1"), QStringLiteral("t"), {}).ok());
        QVERIFY(c->assign(TargetKind::Group, lab, QStringLiteral("debian:2"), QStringLiteral("t"), {}).ok());
        QVERIFY(
            c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("debian:1"), QStringLiteral("t"), {})
                .ok());
        // pc-03 pinned, then told to follow its group again (an empty image).
        QVERIFY(
            c->assign(TargetKind::Machine, QStringLiteral("pc-03"), QStringLiteral("debian:1"), QStringLiteral("t"), {})
                .ok());
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-03"), {}, QStringLiteral("t"), {}).ok());
        agree();
        const auto all = c->effectiveAssignments(c->machines());
        QCOMPARE(all.at(0)->image, QStringLiteral("debian:1")); // its own pin
        QCOMPARE(all.at(1)->image, QStringLiteral("debian:1")); // no group: the default
        QCOMPARE(all.at(2)->image, QStringLiteral("debian:2")); // follows its group's newest
        QCOMPARE(all.at(3)->kind, TargetKind::Default); // a group nobody assigned
        QCOMPARE(c->machinesPerImage().value(QStringLiteral("debian:2")), 1);
    }

    void events_data() { addBackendRows(); }
    void events()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        for (int i = 0; i < 5; ++i) {
            BootEvent e;
            e.machine = i % 2 ? QStringLiteral("pc-01") : QStringLiteral("pc-02");
            e.phase = QStringLiteral("dhcp");
            e.detail = QString::number(i);
            QVERIFY(c->addEvent(e).ok());
        }
        const auto all = c->events(EventFilter {});
        QCOMPARE(all.size(), 5);
        QCOMPARE(all.first().detail, QStringLiteral("0"));
        QCOMPARE(c->events(EventFilter { QStringLiteral("pc-01"), {}, 0, 100 }).size(), 2);
        const auto newest = c->events(EventFilter { {}, {}, 0, 2 });
        QCOMPARE(newest.size(), 2);
        QCOMPARE(newest.last().detail, QStringLiteral("4"));
        QCOMPARE(c->events(EventFilter { {}, {}, all.at(2).id, 100 }).size(), 2);
    }

    // The events of one machine (its details pane, `drover events --machine`, undo) are
    // found by its name or its MAC — a machine's first DHCP steps carry only the MAC — each
    // through an index, not by reading every event (1,000,000 in issue 18's catalog).
    void eventsOfOneMachine_data() { addBackendRows(); }
    void eventsOfOneMachine()
    {
        QFETCH(QString, backend);
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        const QString mac1 = QStringLiteral("52:54:00:aa:00:01");
        const QList<std::pair<QString, QString>> events { { {}, mac1 }, { QStringLiteral("pc-01"), mac1 },
            { QStringLiteral("pc-02"), QStringLiteral("52:54:00:aa:00:02") }, { QStringLiteral("pc-01"), mac1 } };
        for (const auto &[name, mac] : events) {
            BootEvent e;
            e.machine = name;
            e.mac = mac;
            e.phase = QStringLiteral("dhcp");
            QVERIFY(c->addEvent(e).ok());
        }
        QCOMPARE(c->events(EventFilter { QStringLiteral("52:54:00:AA:00:01"), {}, 0, 100 }).size(), 3);
        QCOMPARE(c->events(EventFilter { QStringLiteral("pc-01"), {}, 0, 100 }).size(), 2);
        QCOMPARE(c->events(EventFilter { QStringLiteral("pc-02"), {}, 0, 100 }).size(), 1);
        QSqlQuery q(c->database());
        const QString indexes = backend == QLatin1String("sqlite")
            ? QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'boot_event'")
            : QStringLiteral("SELECT indexname FROM pg_indexes WHERE tablename = 'boot_event'");
        QVERIFY2(q.exec(indexes), qPrintable(q.lastError().text()));
        QStringList names;
        while (q.next())
            names.append(q.value(0).toString());
        QVERIFY2(names.contains(QLatin1String("boot_event_machine")) && names.contains(QLatin1String("boot_event_mac")),
            qPrintable(names.join(QLatin1Char(' '))));
    }

    // Two instances on one catalog: a write by one is seen by the other within a second.
    void changeNotification_data() { addBackendRows(); }
    void changeNotification()
    {
        QFETCH(QString, backend);
        QTemporaryDir dir;
        QString why;
        const QString url = freshCatalogUrl(backend, dir, &why);
        QVERIFY2(!url.isEmpty(), qPrintable(why));
        auto first = Catalog::open(url);
        auto second = Catalog::open(url);
        QVERIFY2(first.ok() && second.ok(), qPrintable(first.error() + second.error()));
        QSignalSpy spy(second->get(), &Catalog::changed);
        QVERIFY(first.value()->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"))).ok());
        QVERIFY(spy.wait(1000));
        QVERIFY(second.value()->machineByName(QStringLiteral("pc-01")).has_value());
    }

    // A database at every earlier schema version upgrades to the latest and keeps its rows.
    void configs_data() { addBackendRows(); }
    void configs()
    {
        TestLab t = open();
        Catalog *c = t.lab->catalog();
        QVERIFY(
            c->addMachine(machine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:aa:00:01"), QStringLiteral("lab")))
                .ok());
        QVERIFY(c->addMachine(machine(QStringLiteral("pc-02"), QStringLiteral("52:54:00:aa:00:02"))).ok());
        QVERIFY(!c->config(TargetKind::Machine, QStringLiteral("pc-01")));
        QSignalSpy changed(c, &Catalog::changed);
        const QString groupBody = QStringLiteral(
            R"({"hostname": "{{name}}.lab", "users": [{"name": "alice", "uid": 1001, "keys": ["ssh-ed25519 AAAA g"]}]})");
        auto g = c->setConfig(TargetKind::Group, QStringLiteral("lab"), groupBody, 0, QStringLiteral("ann"));
        QVERIFY2(g.ok(), qPrintable(g.error()));
        QCOMPARE(g->revision, 1);
        QCOMPARE(g->updatedBy, QStringLiteral("ann"));
        QCOMPARE(g->body, groupBody);
        QVERIFY(g->updatedAt.isValid());
        QVERIFY(changed.contains(QVariantList { QStringLiteral("config") }));
        // A second "first" configuration loses to the one stored meanwhile, naming it.
        auto twice
            = c->setConfig(TargetKind::Group, QStringLiteral("lab"), QStringLiteral("{}"), 0, QStringLiteral("bob"));
        QVERIFY(!twice.ok());
        QVERIFY2(twice.error().contains(QLatin1String("changed by ann")), qPrintable(twice.error()));

        const QString own1 = QStringLiteral(R"({"users": [{"name": "alice", "keys": ["ssh-ed25519 AAAA m"]}]})");
        const QString own2 = QStringLiteral(
            R"({"hostname": "special", "users": [{"name": "alice", "keys": ["ssh-ed25519 AAAA m"]}]})");
        QVERIFY(c->setConfig(TargetKind::Machine, QStringLiteral("pc-01"), own1, 0, QStringLiteral("bob")).ok());
        auto m2 = c->setConfig(TargetKind::Machine, QStringLiteral("pc-01"), own2, 1, QStringLiteral("bob"));
        QVERIFY2(m2.ok(), qPrintable(m2.error()));
        QCOMPARE(m2->revision, 2);
        // Carol read revision 1: her write is refused and names who won.
        auto stale = c->setConfig(
            TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("{}"), 1, QStringLiteral("carol"));
        QVERIFY(!stale.ok());
        QVERIFY2(stale.error().contains(QLatin1String("bob")) && stale.error().contains(QLatin1String("revision 2")),
            qPrintable(stale.error()));
        QCOMPARE(c->config(TargetKind::Machine, QStringLiteral("pc-01"))->body, own2);
        QVERIFY(!c->setConfig(TargetKind::Machine, QStringLiteral("ghost"), QStringLiteral("{}"), 0, {}).ok());
        QCOMPARE(c->configs().size(), 2);

        // Group first, the machine wins: its host name, and the keys of both.
        auto e = effectiveConfig(*c, *c->machineByName(QStringLiteral("pc-01")));
        QVERIFY2(e.ok(), qPrintable(e.error()));
        QVERIFY(e.value().has_value());
        QCOMPARE((*e)->sources.size(), 2);
        QCOMPARE((*e)->sources.first().kind, TargetKind::Group);
        QCOMPARE((*e)->config.hostname, QStringLiteral("special"));
        QCOMPARE((*e)->config.users.size(), 1);
        QCOMPARE((*e)->config.users.first().uid, 1001);
        QCOMPARE((*e)->config.users.first().keys.size(), 2);
        // Without its own, the group's; a machine with neither has none.
        QVERIFY(!c->removeConfig(TargetKind::Machine, QStringLiteral("pc-01"), 1).ok());
        QVERIFY(c->removeConfig(TargetKind::Machine, QStringLiteral("pc-01"), 2).ok());
        e = effectiveConfig(*c, *c->machineByName(QStringLiteral("pc-01")));
        QCOMPARE((*e)->sources.size(), 1);
        QCOMPARE((*e)->config.hostname, QStringLiteral("{{name}}.lab"));
        e = effectiveConfig(*c, *c->machineByName(QStringLiteral("pc-02")));
        QVERIFY(e.ok());
        QVERIFY(!e.value().has_value());
        // A body that does not parse is reported, not half-applied.
        QVERIFY(c->setConfig(TargetKind::Group, QStringLiteral("lab"), QStringLiteral("{\"hostnme\": 1}"), 1, {}).ok());
        e = effectiveConfig(*c, *c->machineByName(QStringLiteral("pc-01")));
        QVERIFY(!e.ok());
        QVERIFY2(e.error().contains(QLatin1String("group lab")) && e.error().contains(QLatin1String("hostnme")),
            qPrintable(e.error()));
    }

    void upgradeFromEveryVersion_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<int>("from");
        for (const QString &backend : { QStringLiteral("sqlite"), QStringLiteral("postgresql") }) {
            for (const Migration &m : catalogMigrations()) {
                if (m.version < Catalog::latestSchemaVersion())
                    QTest::addRow("%s-v%d", qPrintable(backend), m.version) << backend << m.version;
            }
        }
    }
    void upgradeFromEveryVersion()
    {
        QFETCH(QString, backend);
        QFETCH(int, from);
        QTemporaryDir dir;
        QString why;
        const QString url = freshCatalogUrl(backend, dir, &why);
        QVERIFY2(!url.isEmpty(), qPrintable(why));
        {
            // Build the old schema by hand, as an older Drover left it, with one machine.
            auto db = QSqlDatabase::addDatabase(
                backend == QLatin1String("sqlite") ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL"),
                QStringLiteral("old"));
            if (backend == QLatin1String("sqlite")) {
                db.setDatabaseName(url);
            } else {
                const QUrl u(url);
                db.setHostName(QUrlQuery(u).queryItemValue(QStringLiteral("host")));
                db.setUserName(u.userName());
                db.setDatabaseName(u.path().mid(1));
            }
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(
                QStringLiteral("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)")));
            const QString id = backend == QLatin1String("sqlite") ? QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT")
                                                                  : QStringLiteral("BIGSERIAL PRIMARY KEY");
            for (const Migration &m : catalogMigrations()) {
                if (m.version > from)
                    break;
                for (QString sql : m.statements)
                    QVERIFY2(q.exec(sql.replace(QLatin1String("{{ID}}"), id)), qPrintable(q.lastError().text()));
                QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_version VALUES (%1, 0)").arg(m.version)));
            }
            QVERIFY(q.exec(QStringLiteral("INSERT INTO machine (name, mac) VALUES ('old-pc', '52:54:00:00:00:01')")));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        auto catalog = Catalog::open(url);
        QVERIFY2(catalog.ok(), qPrintable(catalog.error()));
        QCOMPARE(catalog.value()->schemaVersion(), Catalog::latestSchemaVersion());
        auto old = catalog.value()->machineByName(QStringLiteral("old-pc"));
        QVERIFY(old.has_value());
        QCOMPARE(old->vendor, QString());
        QVERIFY(old->firmware.isEmpty());
    }

    void newerSchemaIsRefused()
    {
        QTemporaryDir dir;
        const QString url = dir.filePath(QStringLiteral("c.sqlite"));
        {
            auto c = Catalog::open(url);
            QVERIFY(c.ok());
            QSqlQuery q(c.value()->database());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_version VALUES (999, 0)")));
        }
        auto again = Catalog::open(url);
        QVERIFY(!again.ok());
        QVERIFY2(again.error().contains(QLatin1String("999")), qPrintable(again.error()));
    }
};

QTEST_GUILESS_MAIN(TstCatalog)
#include "tst_catalog.moc"
