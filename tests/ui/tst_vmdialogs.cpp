// Add Virtual Machines… and the console view: machines land in the catalog with their
// group; the console follows the VM's serial log, without terminal escape sequences.
#include "catalog/catalog.h"
#include "fleet/vmdialogs.h"
#include "testlab.h"
#include "vm/virtuallab.h"

#include <QFile>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstVmDialogs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-vmdialogs")); }

    void addMachines()
    {
        TestLab t = sqliteLab();
        AddVmDialog dialog(t.lab.get());
        QCOMPARE(dialog.countBox()->value(), 3);
        dialog.groupEdit()->setText(QStringLiteral("class-a"));
        QVERIFY(dialog.addMachines());
        QCOMPARE(
            dialog.added(), QStringList({ QStringLiteral("vm-1"), QStringLiteral("vm-2"), QStringLiteral("vm-3") }));
        QCOMPARE(t.lab->catalog()->machineByName(QStringLiteral("vm-2"))->group(), QStringLiteral("class-a"));
        QCOMPARE(virtualMachines(t.lab.get()).size(), 3);
    }

    void consoleFollowsTheLog()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("vm-1.log"));
        ConsoleView view(QStringLiteral("vm-1"), log);
        QVERIFY(view.text().contains(QLatin1String("No console output yet")));
        QFile f(log);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x1b[2J\x1b[01;01HiPXE 1.21 -- Open Source Network Boot Firmware\r\n");
        f.flush();
        view.refresh();
        QCOMPARE(view.text(), QStringLiteral("iPXE 1.21 -- Open Source Network Boot Firmware\n"));
        f.write("Debian GNU/Linux 13 vm-1 ttyS0\n");
        f.flush();
        view.refresh();
        QVERIFY(view.text().endsWith(QLatin1String("vm-1 ttyS0\n")));
    }
};

QTEST_MAIN(TstVmDialogs)
#include "tst_vmdialogs.moc"
