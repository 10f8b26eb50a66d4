// The machine details pane: why a machine boots what it boots, its last boot phase by
// phase with the time each took, and its configuration editor (form and JSON in step,
// errors next to the field, save to the catalog over a revision, rendered preview), the
// Hardware tab with its change mark in the fleet table, the fleet's column chooser, and the
// dialog that names machines from a pattern.
#include "catalog/catalog.h"
#include "fleet/configeditor.h"
#include "fleet/fleetfilter.h"
#include "fleet/fleetmodel.h"
#include "fleet/fleetview.h"
#include "fleet/handoversheet.h"
#include "fleet/hardwaretab.h"
#include "fleet/machinedetails.h"
#include "fleet/namingdialog.h"
#include "fleet/teststab.h"
#include "inventory/handover.h"
#include "testlab.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QTreeView>
#include <QTreeWidget>

using namespace drover;
using namespace drover::test;

class TstMachineDetails : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("drover-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_machinedetails"));
        QSettings().clear();
    }

    // The Hardware tab: nothing reported yet, then a report, then a change of hardware shown
    // with what changed, marked in the fleet table and acknowledged with the button.
    void hardwareTab()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        QVERIFY(c->addMachine(m).ok());
        MachineDetails details(c);
        FleetModel fleet(c);
        details.showMachine(QStringLiteral("pc-01"));
        HardwareTab *tab = details.hardware();
        QVERIFY2(tab->status()->text().contains(QLatin1String("has not reported its hardware yet")),
            qPrintable(tab->status()->text()));
        QCOMPARE(tab->tree()->topLevelItemCount(), 0);

        HardwareInventory hw;
        hw.systemVendor = QStringLiteral("ACME");
        hw.systemProduct = QStringLiteral("Lab PC 3");
        hw.systemSerial = QStringLiteral("SN-7");
        hw.cpuThreads = 8;
        hw.memoryKib = 16LL * 1024 * 1024;
        hw.disks = { DiskInfo { QStringLiteral("sda"), QStringLiteral("SSD 1"), QStringLiteral("D1"), 256LL << 30,
            false, QStringLiteral("passed") } };
        QVERIFY(c->recordInventory(QStringLiteral("pc-01"), QStringLiteral("b1"), hw).ok());
        QTRY_COMPARE(tab->tree()->topLevelItemCount(), 1); // the catalog's change signal refreshes it
        QTreeWidgetItem *current = tab->tree()->topLevelItem(0);
        QStringList rows;
        for (int i = 0; i < current->childCount(); ++i)
            rows << current->child(i)->text(0) + QStringLiteral(": ") + current->child(i)->text(1);
        QVERIFY2(rows.contains(QStringLiteral("Serial number: SN-7")), qPrintable(rows.join(u'\n')));
        QVERIFY2(rows.contains(QStringLiteral("Disk sda: SSD 1 · serial D1 · 256.0 GiB · solid state · SMART passed")),
            qPrintable(rows.join(u'\n')));
        QVERIFY(tab->acknowledgeButton()->isHidden());
        // The fleet table's hardware columns, and the row's name unmarked.
        QTRY_COMPARE(fleet.data(fleet.index(0, FleetModel::Serial)).toString(), QStringLiteral("SN-7"));
        QCOMPARE(fleet.data(fleet.index(0, FleetModel::Model)).toString(), QStringLiteral("ACME Lab PC 3"));
        QCOMPARE(fleet.data(fleet.index(0, FleetModel::Memory)).toString(), QStringLiteral("16.0 GiB"));
        QVERIFY(!fleet.data(fleet.index(0, FleetModel::Name), FleetModel::HardwareChangedRole).toBool());

        hw.memoryKib = 8LL * 1024 * 1024;
        QVERIFY(c->recordInventory(QStringLiteral("pc-01"), QStringLiteral("b2"), hw).ok());
        QTRY_VERIFY(!tab->acknowledgeButton()->isHidden());
        QVERIFY2(tab->status()->text().contains(QStringLiteral("memory 16.0 GiB → 8.0 GiB")),
            qPrintable(tab->status()->text()));
        QCOMPARE(tab->tree()->topLevelItemCount(), 2); // the hardware, and its changes
        QCOMPARE(tab->tree()->topLevelItem(1)->childCount(), 1);
        QTRY_VERIFY(fleet.data(fleet.index(0, FleetModel::Name), FleetModel::HardwareChangedRole).toBool());
        QVERIFY(!fleet.data(fleet.index(0, FleetModel::Name), Qt::DecorationRole).isNull());
        QVERIFY(fleet.data(fleet.index(0, FleetModel::Name), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("memory 16.0 GiB → 8.0 GiB")));

        QTest::mouseClick(tab->acknowledgeButton(), Qt::LeftButton);
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->hardwareChanged.isValid());
        QTRY_VERIFY(tab->acknowledgeButton()->isHidden());
        QTRY_VERIFY(!fleet.data(fleet.index(0, FleetModel::Name), FleetModel::HardwareChangedRole).toBool());
    }

    // The naming dialog: a live preview of the names, the reason a pattern cannot be used
    // (and OK disabled), then the machines renamed and labelled in the catalog.
    void namingDialog()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        for (const char *name : { "new-525400000001", "new-525400000002", "bench-3" }) {
            Machine m;
            m.name = QString::fromLatin1(name);
            m.mac = QStringLiteral("52:54:00:00:00:0") + m.name.right(1);
            QVERIFY(c->addMachine(m).ok());
        }
        NamingDialog dialog(c, { QStringLiteral("new-525400000001"), QStringLiteral("new-525400000002") });
        QPushButton *ok = dialog.buttons()->button(QDialogButtonBox::Ok);
        QCOMPARE(dialog.preview()->topLevelItemCount(), 2);
        QCOMPARE(dialog.preview()->topLevelItem(1)->text(1), QStringLiteral("lab-02")); // the default pattern
        QVERIFY(ok->isEnabled());

        dialog.pattern()->setText(QStringLiteral("bench"));
        QVERIFY(!ok->isEnabled());
        QVERIFY2(dialog.problem()->text().contains(QLatin1String("has no {n}")), qPrintable(dialog.problem()->text()));
        dialog.pattern()->setText(QStringLiteral("bench-{n}"));
        dialog.first()->setValue(2); // bench-3 is taken
        QVERIFY(!ok->isEnabled());
        QVERIFY2(dialog.problem()->text().contains(QLatin1String("bench-3 exists already")),
            qPrintable(dialog.problem()->text()));
        dialog.first()->setValue(4);
        dialog.labels()->setText(QStringLiteral("room"));
        QVERIFY(!ok->isEnabled());
        dialog.labels()->setText(QStringLiteral("group=room-b, rack=2"));
        QVERIFY(ok->isEnabled());
        QCOMPARE(dialog.preview()->topLevelItem(0)->text(1), QStringLiteral("bench-4"));
        QTest::mouseClick(ok, Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const auto renamed = c->machineByName(QStringLiteral("bench-5"));
        QVERIFY(renamed);
        QCOMPARE(renamed->mac, QStringLiteral("52:54:00:00:00:02"));
        QCOMPARE(renamed->labels.value(QStringLiteral("rack")), QStringLiteral("2"));
        QCOMPARE(renamed->group(), QStringLiteral("room-b"));
    }

    // The hand-over sheet: each machine's hardware and image, every value escaped, as HTML
    // or a real PDF.
    void handoverSheet()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        Machine m;
        m.name = QStringLiteral("lab-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        m.labels.insert(QStringLiteral("note"), QStringLiteral("<script>alert(1)</script>"));
        QVERIFY(c->addMachine(m).ok());
        HardwareInventory hw;
        hw.systemSerial = QStringLiteral("SN-<1>");
        hw.memoryKib = 8LL * 1024 * 1024;
        QVERIFY(c->recordInventory(QStringLiteral("lab-01"), QStringLiteral("b1"), hw).ok());
        const auto entries = handoverEntries(*c, { QStringLiteral("lab-01") });
        QVERIFY(entries);
        QVERIFY(!handoverEntries(*c, { QStringLiteral("ghost") }));
        const QString html = handoverHtml(QStringLiteral("Room B"), *entries);
        QVERIFY(html.contains(QLatin1String("<h1>Room B</h1>")));
        QVERIFY(html.contains(QLatin1String("SN-&lt;1&gt;")));
        QVERIFY(html.contains(QLatin1String("&lt;script&gt;")));
        QVERIFY(!html.contains(QLatin1String("<script>")));
        QVERIFY(html.contains(QLatin1String("nothing assigned")));
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("sheet.pdf"));
        QVERIFY(saveHandoverSheet(pdf, html).ok());
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
        QVERIFY(f.size() > 1000);
        QVERIFY(!saveHandoverSheet(dir.filePath(QStringLiteral("no/such/dir/sheet.pdf")), html).ok());
    }

    // The hardware columns start hidden; the column chooser shows them and remembers it.
    // The Tests tab: each run with its tests, a failure marks the row and the tab offers to
    // clear it; the fleet table's "Show: Burn-in failed" keeps only such machines.
    void testsTabAndFilter()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        for (const char *name : { "pc-01", "pc-02" }) {
            Machine m;
            m.name = QString::fromLatin1(name);
            m.mac = name == QByteArrayView("pc-01") ? QStringLiteral("52:54:00:00:00:01")
                                                    : QStringLiteral("52:54:00:00:00:02");
            QVERIFY(c->addMachine(m).ok());
        }
        MachineDetails details(c);
        FleetModel model(c);
        FleetView view(&model);
        details.showMachine(QStringLiteral("pc-01"));
        TestsTab *tab = details.tests();
        QVERIFY2(
            tab->status()->text().contains(QLatin1String("has not run any tests")), qPrintable(tab->status()->text()));
        QVERIFY(tab->clearButton()->isHidden());

        TestReport report { QStringLiteral("burn-in"),
            { TestResult { QStringLiteral("10-cpu-memory"), false, 5100, { { QStringLiteral("memory_mib"), 1987 } },
                  QStringLiteral("memory 1987 MiB is less than 4096 MiB") },
                TestResult { QStringLiteral("40-nic-speed"), true, 20, {}, {} } } };
        QVERIFY(c->recordTestRun(QStringLiteral("pc-01"), QStringLiteral("b1"), report).ok());
        QTRY_COMPARE(tab->tree()->topLevelItemCount(), 1);
        QTreeWidgetItem *run = tab->tree()->topLevelItem(0);
        QCOMPARE(run->childCount(), 2);
        QVERIFY(run->isExpanded());
        QCOMPARE(run->child(0)->text(0), QStringLiteral("10-cpu-memory"));
        QCOMPARE(run->child(0)->text(1), QStringLiteral("fail"));
        QVERIFY2(run->child(0)->text(3).startsWith(QLatin1String("memory_mib ")), qPrintable(run->child(0)->text(3)));
        QCOMPARE(run->child(0)->toolTip(0), QStringLiteral("memory 1987 MiB is less than 4096 MiB"));
        QCOMPARE(run->child(1)->text(1), QStringLiteral("pass"));
        QVERIFY(!tab->clearButton()->isHidden());
        QVERIFY2(tab->status()->text().contains(QLatin1String("Burn-in failed")), qPrintable(tab->status()->text()));

        // The fleet table: the row marked, and the filter.
        QTRY_VERIFY(model.data(model.index(0, FleetModel::Name), FleetModel::BurninFailedRole).toBool());
        QVERIFY(model.data(model.index(0, FleetModel::Name), Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("burn-in")));
        QCOMPARE(view.proxy()->rowCount(), 2);
        view.showFilter()->setCurrentIndex(view.showFilter()->findData(int(FleetFilter::Show::BurninFailed)));
        QCOMPARE(view.proxy()->rowCount(), 1);
        QCOMPARE(view.proxy()->index(0, FleetModel::Name).data().toString(), QStringLiteral("pc-01"));
        view.search()->setText(QStringLiteral("pc-02")); // both filters at once: nothing
        QCOMPARE(view.proxy()->rowCount(), 0);
        view.search()->clear();

        QTest::mouseClick(tab->clearButton(), Qt::LeftButton);
        QVERIFY(!c->machineByName(QStringLiteral("pc-01"))->burninFailed.isValid());
        QVERIFY(tab->clearButton()->isHidden());
        QVERIFY2(
            tab->status()->text().contains(QLatin1String("failure was cleared")), qPrintable(tab->status()->text()));
        QTRY_COMPARE(view.proxy()->rowCount(), 0);
        view.showFilter()->setCurrentIndex(0);
        QCOMPARE(view.proxy()->rowCount(), 2);
    }

    // The user guide's pictures of the Hardware and Tests tabs, from a machine with a real
    // looking inventory and burn-in: rendered here on every run (so a tab that cannot paint
    // fails), saved into DROVER_SCREENSHOT_DIR when tools/screenshot.sh sets it.
    void tabScreenshots()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        Machine m;
        m.name = QStringLiteral("lab-07");
        m.mac = QStringLiteral("a8:a1:59:3c:07:e1");
        m.labels.insert(QStringLiteral("group"), QStringLiteral("room-b"));
        QVERIFY(c->addMachine(m).ok());
        HardwareInventory hw;
        hw.systemVendor = QStringLiteral("LENOVO");
        hw.systemProduct = QStringLiteral("ThinkCentre M70q Gen 3");
        hw.systemSerial = QStringLiteral("PC2K7Q4M");
        hw.firmwareVendor = QStringLiteral("LENOVO");
        hw.firmwareVersion = QStringLiteral("M4AKT3BA");
        hw.firmwareDate = QStringLiteral("03/14/2024");
        hw.firmwareMode = QStringLiteral("uefi");
        hw.secureBoot = QStringLiteral("on");
        hw.cpuModel = QStringLiteral("12th Gen Intel(R) Core(TM) i5-12500T");
        hw.cpuSockets = 1;
        hw.cpuCores = 6;
        hw.cpuThreads = 12;
        hw.memoryKib = 16LL * 1024 * 1024;
        hw.dimms = { DimmInfo { QStringLiteral("DIMM 0"), QStringLiteral("DDR4"), 8192, 3200 },
            DimmInfo { QStringLiteral("DIMM 1"), QStringLiteral("DDR4"), 8192, 3200 } };
        hw.disks = { DiskInfo { QStringLiteral("nvme0n1"), QStringLiteral("SAMSUNG MZVL2256HCHQ"),
            QStringLiteral("S675NX0T812345"), 256LL * 1000 * 1000 * 1000, false, QStringLiteral("passed") } };
        hw.nics = { NicInfo {
            QStringLiteral("enp0s31f6"), m.mac, QStringLiteral("e1000e"), QStringLiteral("8086:15fa"), 1000 } };
        QVERIFY(c->recordInventory(m.name, QStringLiteral("b1"), hw).ok());
        TestReport report { QStringLiteral("burn-in"),
            { TestResult { QStringLiteral("10-cpu-memory"), true, 600412,
                  { { QStringLiteral("threads"), 12 }, { QStringLiteral("memory_mib"), 15731 },
                      { QStringLiteral("cpu_bogo_ops_per_s"), 5821.4 } },
                  {} },
                TestResult { QStringLiteral("20-disk-read"), true, 1420,
                    { { QStringLiteral("nvme0n1.read_mib_per_s"), 2315.8 } }, {} },
                TestResult {
                    QStringLiteral("30-smart"), true, 310, { { QStringLiteral("smart_disks_checked"), 1 } }, {} },
                TestResult { QStringLiteral("40-nic-speed"), true, 95,
                    { { QStringLiteral("enp0s31f6.speed_mbps"), 1000 } }, {} } } };
        QVERIFY(c->recordTestRun(m.name, QStringLiteral("b1"), report).ok());

        // The English plurals ("12 threads"), as the application loads them.
        QTranslator english;
        if (const QString qm = qEnvironmentVariable("DROVER_SCREENSHOT_QM"); !qm.isEmpty()) {
            QVERIFY2(english.load(qm), qPrintable(qm));
            QCoreApplication::installTranslator(&english);
        }
        MachineDetails details(c);
        details.resize(860, 560);
        details.showMachine(m.name);
        auto *tabs = details.findChild<QTabWidget *>();
        QVERIFY(tabs);
        const QString dir = qEnvironmentVariable("DROVER_SCREENSHOT_DIR");
        for (QWidget *tab : { static_cast<QWidget *>(details.hardware()), static_cast<QWidget *>(details.tests()) }) {
            tabs->setCurrentWidget(tab);
            details.show();
            QVERIFY(QTest::qWaitForWindowExposed(&details));
            const QPixmap shot = details.grab();
            QVERIFY(!shot.isNull());
            if (!dir.isEmpty()) {
                const QString file = dir
                    + (tab == details.hardware() ? QStringLiteral("/hardware-tab.png")
                                                 : QStringLiteral("/tests-tab.png"));
                QVERIFY2(shot.save(file), qPrintable(file));
            }
        }
        QCoreApplication::removeTranslator(&english);
    }

    void fleetColumnChooser()
    {
        TestLab t = sqliteLab();
        FleetModel model(t.lab->catalog());
        {
            FleetView view(&model);
            QVERIFY(view.table()->header()->isSectionHidden(FleetModel::Serial));
            QVERIFY(view.table()->header()->isSectionHidden(FleetModel::Memory));
            QVERIFY(!view.table()->header()->isSectionHidden(FleetModel::Status));
            view.setColumnShown(FleetModel::Serial, true);
            view.setColumnShown(FleetModel::Labels, false);
            // A width dragged just before the view goes (its save still waiting) is kept too.
            view.table()->header()->resizeSection(FleetModel::CurrentImage, 321);
        }
        FleetView again(&model);
        QCOMPARE(again.table()->header()->sectionSize(FleetModel::CurrentImage), 321);
        QVERIFY(!again.table()->header()->isSectionHidden(FleetModel::Serial));
        QVERIFY(again.table()->header()->isSectionHidden(FleetModel::Labels));
        QVERIFY(again.table()->header()->isSectionHidden(FleetModel::Memory));
        again.setColumnShown(FleetModel::Labels, true);
        again.setColumnShown(FleetModel::Serial, false);
    }

    void lastBootPhases()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        m.labels.insert(QStringLiteral("group"), QStringLiteral("demo"));
        QVERIFY(c->addMachine(m).ok());
        QVERIFY(
            c->addImage(ImageRecord { 0, QStringLiteral("deb"), QStringLiteral("1"),
                            QStringLiteral("sha256:") + QString(64, QLatin1Char('1')), 1, {}, {}, {} })
                .ok());
        QVERIFY(c->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("deb:1"), {}, {}).ok());
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        // An older boot, then the last one: only the last one is shown.
        const QList<std::tuple<QString, QString, int>> rows {
            { QStringLiteral("old"), QStringLiteral("script"), 0 },
            { QStringLiteral("b2"), QStringLiteral("script"), 60000 },
            { QStringLiteral("b2"), QStringLiteral("fetched"), 62500 },
            { QStringLiteral("b2"), QStringLiteral("ready"), 90000 },
        };
        for (const auto &[boot, phase, ms] : rows) {
            BootEvent e;
            e.machine = QStringLiteral("pc-01");
            e.bootId = boot;
            e.phase = phase;
            e.time = t0.addMSecs(ms);
            QVERIFY(c->addEvent(e).ok());
        }
        MachineDetails details(c);
        details.showMachine(QStringLiteral("pc-01"));
        QCOMPARE(details.phases()->topLevelItemCount(), 3);
        QCOMPARE(details.phases()->topLevelItem(1)->text(0), QStringLiteral("fetched"));
        QCOMPARE(details.phases()->topLevelItem(1)->text(2), QStringLiteral("2.5 s"));
        QCOMPARE(details.phases()->topLevelItem(2)->text(1), QStringLiteral("+30.0 s"));
        QVERIFY(details.findChild<QLabel *>()->text().contains(QLatin1String("from group demo")));
        // A new assignment shows up without asking.
        QVERIFY(
            c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("deb:1"), QStringLiteral("bob"), {})
                .ok());
        QCOMPARE(details.history()->topLevelItemCount(), 1);
        QCOMPARE(details.history()->topLevelItem(0)->text(2), QStringLiteral("bob"));
        // The firmware facts a boot recorded show up too, in words.
        QVERIFY(!details.findChild<QLabel *>()->text().contains(QLatin1String("Firmware:")));
        FirmwareFacts facts;
        facts.firmware = QStringLiteral("uefi");
        facts.arch = QStringLiteral("x86-64");
        facts.secureBoot = QStringLiteral("on");
        facts.protocol = QStringLiteral("pxe");
        facts.loader = QStringLiteral("grub");
        QVERIFY(c->recordFirmware(QStringLiteral("pc-01"), facts).ok());
        const QString summary = details.findChild<QLabel *>()->text();
        QVERIFY2(summary.contains(QStringLiteral("Firmware: UEFI x86-64, Secure Boot on")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("Boots by: PXE → shim → GRUB")), qPrintable(summary));
    }

    void configEditor()
    {
        TestLab t = sqliteLab();
        Catalog *c = t.lab->catalog();
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.mac = QStringLiteral("52:54:00:00:00:01");
        m.labels.insert(QStringLiteral("group"), QStringLiteral("demo"));
        QVERIFY(c->addMachine(m).ok());
        QVERIFY(
            c->recordMachineSeen(
                 QStringLiteral("pc-01"), MachineState::Ready, QStringLiteral("ready"), QStringLiteral("10.0.0.7"))
                .ok());
        MachineDetails details(c);
        details.showMachine(QStringLiteral("pc-01"));
        ConfigEditor *e = details.configEditor();
        QVERIFY(e->preview()->toPlainText().contains(QLatin1String("No configuration for pc-01")));
        QVERIFY(!e->saveButton()->isEnabled());

        // The form writes the JSON; a bad value is shown next to its field and not saved.
        QTest::keyClicks(e->hostnameEdit(), QStringLiteral("bad_name"));
        QVERIFY(e->jsonEdit()->toPlainText().contains(QLatin1String("\"hostname\": \"bad_name\"")));
        QVERIFY(!e->hostnameError()->isHidden());
        QVERIFY(e->hostnameError()->text().contains(QLatin1String("not a host name")));
        QVERIFY(!e->save());
        QVERIFY(!c->config(TargetKind::Machine, QStringLiteral("pc-01")));
        e->hostnameEdit()->clear();
        QTest::keyClicks(e->hostnameEdit(), QStringLiteral("{{name}}.lab"));
        QVERIFY(e->hostnameError()->isHidden());
        QVERIFY(e->preview()->toPlainText().contains(QLatin1String("\nhostname pc-01.lab\n")));

        // The JSON writes the form; users and files appear in the preview, templates filled in.
        e->jsonEdit()->setPlainText(QStringLiteral(R"({"hostname": "{{name}}.lab", "users": [{"name": "root",
            "keys": ["ssh-ed25519 AAAAC3Nza admin"]}], "files": [{"path": "/etc/ip", "content": "{{ip}}",
            "template": true}], "network": {"mode": "static", "address": "10.0.0.7/24"}})"));
        QCOMPARE(e->networkBox()->currentIndex(), 2);
        QCOMPARE(e->addressEdit()->text(), QStringLiteral("10.0.0.7/24"));
        const QString preview = e->preview()->toPlainText();
        QVERIFY2(preview.contains(QLatin1String("key root ssh-ed25519 AAAAC3Nza admin")), qPrintable(preview));
        QVERIFY(preview.contains(QLatin1String("/etc/ip ") + QString::fromLatin1(QByteArray("10.0.0.7").toBase64())));
        QVERIFY(preview.contains(QLatin1String("machine pc-01 (unsaved)")));
        // An error in the JSON names its field.
        e->jsonEdit()->setPlainText(QStringLiteral(R"({"users": [{"name": "root", "uid": 99999}]})"));
        QVERIFY(e->jsonError()->text().contains(QLatin1String("users[0].uid")));
        QVERIFY(e->preview()->toPlainText().contains(QLatin1String("Fix the problems")));
        e->revertButton()->click();
        QVERIFY(e->jsonEdit()->toPlainText().isEmpty());
        QVERIFY(e->hostnameEdit()->text().isEmpty());

        QTest::keyClicks(e->hostnameEdit(), QStringLiteral("{{name}}.lab"));
        QVERIFY(e->saveButton()->isEnabled());
        e->saveButton()->click();
        auto stored = c->config(TargetKind::Machine, QStringLiteral("pc-01"));
        QVERIFY(stored);
        QCOMPARE(stored->revision, 1);
        QVERIFY(stored->body.contains(QLatin1String("{{name}}.lab")));
        QVERIFY(!e->isModified());
        QVERIFY(e->preview()->toPlainText().contains(QLatin1String("machine pc-01 r1")));

        // The group's configuration, edited from the same pane, merges under the machine's.
        e->setScope(TargetKind::Group);
        QCOMPARE(e->scopeBox()->currentIndex(), 1);
        QVERIFY(e->jsonEdit()->toPlainText().isEmpty());
        e->jsonEdit()->setPlainText(
            QStringLiteral(R"({"hostname": "group-name", "scripts": [{"name": "10-hi", "body": "echo hi"}]})"));
        QVERIFY(e->save());
        QVERIFY(c->config(TargetKind::Group, QStringLiteral("demo")));
        QVERIFY(e->preview()->toPlainText().contains(QLatin1String("\nhostname pc-01.lab\n")));
        QVERIFY(e->preview()->toPlainText().contains(QLatin1String("\nscript 10-hi ")));

        // Someone else saves meanwhile: the edit is kept, and saving it is refused.
        QTest::keyClicks(e->hostnameEdit(), QStringLiteral("x"));
        QVERIFY(e->isModified());
        const auto group = c->config(TargetKind::Group, QStringLiteral("demo"));
        QVERIFY(
            c->setConfig(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("{}"), group->revision,
                 QStringLiteral("zoe"))
                .ok());
        QVERIFY(e->status()->text().contains(QLatin1String("zoe")));
        QVERIFY(e->hostnameEdit()->text().endsWith(QLatin1Char('x')));
        QVERIFY(!e->save());
        QVERIFY(e->status()->text().contains(QLatin1String("since it was read")));
        e->revert();
        QCOMPARE(e->jsonEdit()->toPlainText(), QStringLiteral("{}"));
    }
};

QTEST_MAIN(TstMachineDetails)
#include "tst_machinedetails.moc"
