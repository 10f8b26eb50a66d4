// The virtual lab: machines added with a name, a MAC and a QMP power method; a real qemu
// per machine that netboots from this Drover's HTTP boot server over qemu's user network
// (the script request shows up as the machine's boot event); removal stops it.
#include "boot/http/httpbootserver.h"
#include "catalog/catalog.h"
#include "power/powerspec.h"
#include "testlab.h"
#include "vm/virtuallab.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace drover;
using namespace drover::test;

class TstVirtualLab : public QObject {
    Q_OBJECT
    TestLab m_t;

private Q_SLOTS:
    void init()
    {
        QString why;
        m_t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(m_t.lab, qPrintable(why));
    }

    void addValidates_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("memory");
        QTest::addColumn<QString>("error");
        QTest::newRow("three") << 3 << 1024 << "";
        QTest::newRow("none") << 0 << 1024 << "1 to 32";
        QTest::newRow("a crowd") << 100 << 1024 << "1 to 32";
        QTest::newRow("too little memory") << 1 << 64 << "between 256 and 16384";
    }

    void addValidates()
    {
        QFETCH(int, count);
        QFETCH(int, memory);
        QFETCH(QString, error);
        Catalog *c = m_t.lab->catalog();
        Machine taken;
        taken.name = QStringLiteral("vm-1"); // names and MACs already taken are skipped
        taken.mac = QStringLiteral("52:54:00:d0:00:02");
        QVERIFY(c->addMachine(taken).ok());
        auto added
            = addVirtualMachines(m_t.lab.get(), count, QStringLiteral("vm"), QStringLiteral("demo"), false, memory);
        QCOMPARE(added.ok(), error.isEmpty());
        if (!added) {
            QVERIFY2(added.error().contains(error), qPrintable(added.error()));
            QVERIFY(virtualMachines(m_t.lab.get()).isEmpty());
            return;
        }
        QCOMPARE(*added, QStringList({ QStringLiteral("vm-3"), QStringLiteral("vm-4"), QStringLiteral("vm-5") }));
        const auto vm = c->machineByName(QStringLiteral("vm-3"));
        QCOMPARE(vm->mac, QStringLiteral("52:54:00:d0:00:03"));
        QCOMPARE(vm->group(), QStringLiteral("demo"));
        const auto power = powerSpecFor(*c, *vm);
        QCOMPARE(power->method, PowerMethod::Qmp);
        QCOMPARE(virtualMachines(m_t.lab.get()).size(), 3);
        QVERIFY(removeVirtualMachine(m_t.lab.get(), QStringLiteral("vm-4")).ok());
        QVERIFY(!c->machineByName(QStringLiteral("vm-4")));
        QCOMPARE(virtualMachines(m_t.lab.get()).size(), 2);
        const Status notOne = removeVirtualMachine(m_t.lab.get(), QStringLiteral("vm-1"));
        QVERIFY(!notOne.ok());
        QVERIFY2(notOne.error().contains(QLatin1String("not a virtual machine")), qPrintable(notOne.error()));
    }

    void netbootsFromThisServer()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("qemu-system-x86_64")).isEmpty())
            QSKIP("qemu-system-x86_64 is not installed");
        HttpBootServer http(m_t.lab.get());
        HttpBootSettings settings;
        settings.port = 0;
        settings.address = QHostAddress::LocalHost;
        QVERIFY(http.start(settings).ok());
        auto added = addVirtualMachines(m_t.lab.get(), 1, QStringLiteral("lab"), {}, false, 512);
        QVERIFY2(added, qPrintable(added.error()));
        VirtualLab lab(m_t.lab.get());
        QSignalSpy stopped(&lab, &VirtualLab::vmStopped);
        lab.start(http.port());
        QVERIFY(lab.isRunning(QStringLiteral("lab-1")));
        // SeaBIOS, qemu's iPXE ROM, DHCP from qemu's user network, then this server's script.
        auto scripts = [this] {
            return m_t.lab->catalog()->events(EventFilter { QStringLiteral("lab-1"), QStringLiteral("script"), 0, 10 });
        };
        QTRY_VERIFY_WITH_TIMEOUT(!scripts().isEmpty(), 120000);
        QVERIFY2(
            scripts().first().detail.contains(QLatin1String("script served")), qPrintable(scripts().first().detail));
        // Removed while running: the server's lab stops it.
        QVERIFY(removeVirtualMachine(m_t.lab.get(), QStringLiteral("lab-1")).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!lab.isRunning(QStringLiteral("lab-1")), 10000);
        QCOMPARE(stopped.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TstVirtualLab)
#include "tst_virtuallab.moc"
