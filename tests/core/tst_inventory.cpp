// The hardware inventory report: what the ready script sends is parsed into fields, bad
// reports are refused naming the line, the stored JSON form round-trips, and changes between
// two inventories are named in words (the "hardware changed" event and badge rest on them).
#include "inventory/hardwareinventory.h"
#include "inventory/testreport.h"

#include <QFile>
#include <QJsonArray>
#include <QLocale>
#include <QRandomGenerator>
#include <QTest>

using namespace drover;

namespace {

QByteArray seedReport()
{
    QFile f(QStringLiteral(DROVER_SOURCE_DIR "/tests/fuzz/corpus/inventory/qemu-two-disks.txt"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read the seed report");
    return f.readAll();
}

} // namespace

class TstInventory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesAReport()
    {
        QString why;
        const auto inv = parseInventoryReport(seedReport(), &why);
        QVERIFY2(inv, qPrintable(why));
        QCOMPARE(inv->systemVendor, QStringLiteral("QEMU"));
        QCOMPARE(inv->systemProduct, QStringLiteral("Standard PC (i440FX + PIIX, 1996)"));
        QCOMPARE(inv->systemSerial, QStringLiteral("SN-0042"));
        QCOMPARE(inv->firmwareMode, QStringLiteral("bios"));
        QCOMPARE(inv->cpuThreads, 2);
        QCOMPARE(inv->memoryKib, 2014520);
        QCOMPARE(inv->dimms.size(), 1);
        QCOMPARE(inv->dimms[0].sizeMib, 2048);
        QCOMPARE(inv->disks.size(), 2);
        QCOMPARE(inv->disks[0].name, QStringLiteral("vda"));
        QCOMPARE(inv->disks[0].serial, QStringLiteral("QM-DISK-1"));
        QCOMPARE(inv->disks[0].bytes, qint64(1) << 30);
        QVERIFY(inv->disks[0].rotational);
        QCOMPARE(inv->disks[1].smart, QStringLiteral("passed"));
        QVERIFY(!inv->disks[1].rotational);
        QCOMPARE(inv->nics.size(), 2);
        QCOMPARE(inv->nics[0].mac, QStringLiteral("52:54:00:12:34:56"));
        QCOMPARE(inv->nics[0].driver, QStringLiteral("e1000"));
        QCOMPARE(inv->nics[0].pci, QStringLiteral("8086:100e"));
        QCOMPARE(inv->nics[0].speedMbps, 1000);
        QCOMPARE(inv->nics[1].speedMbps, 0);
        // No translator is loaded here: the plurals are the source text's.
        QCOMPARE(inv->summary(),
            QStringLiteral("QEMU Standard PC (i440FX + PIIX, 1996) · 2 thread(s) · 1.9 GiB · 2 disk(s) · 2 NIC(s)"));
    }

    void lenientWhereItCosts_data()
    {
        QTest::addColumn<QByteArray>("report");
        QTest::addColumn<QString>("vendor");
        QTest::addColumn<int>("nics");
        QTest::newRow("unknown keys are skipped")
            << QByteArray("gpu.0.model\tX\nsystem.vendor\tACME\n") << QStringLiteral("ACME") << 0;
        QTest::newRow("CRLF and blank lines")
            << QByteArray("\r\nsystem.vendor\tACME\r\n\r\n") << QStringLiteral("ACME") << 0;
        QTest::newRow("not UTF-8 becomes U+FFFD")
            << QByteArray("system.vendor\tAC\xffME\n") << QStringLiteral("AC\uFFFDME") << 0;
        QTest::newRow("MAC in another form") << QByteArray("nic.3.mac\t52-54-00-AB-CD-EF\n") << QString() << 1;
        QTest::newRow("empty") << QByteArray() << QString() << 0;
    }
    void lenientWhereItCosts()
    {
        QFETCH(QByteArray, report);
        QFETCH(QString, vendor);
        QFETCH(int, nics);
        QString why;
        const auto inv = parseInventoryReport(report, &why);
        QVERIFY2(inv, qPrintable(why));
        QCOMPARE(inv->systemVendor, vendor);
        QCOMPARE(inv->nics.size(), nics);
        if (nics)
            QCOMPARE(inv->nics[0].mac, QStringLiteral("52:54:00:ab:cd:ef"));
    }

    void refusesBadReports_data()
    {
        QTest::addColumn<QByteArray>("report");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no tab") << QByteArray("system.vendor ACME\n") << QStringLiteral("line 1: not KEY<tab>VALUE");
        QTest::newRow("bad number") << QByteArray("system.vendor\tA\nmemory.kib\t12k\n")
                                    << QStringLiteral("line 2: memory.kib is not a whole number");
        QTest::newRow("negative") << QByteArray("nic.0.speed_mbps\t-1\n")
                                  << QStringLiteral("line 1: nic.0.speed_mbps is not a whole number");
        QTest::newRow("bad mode") << QByteArray("firmware.mode\tcoreboot\n")
                                  << QStringLiteral("line 1: firmware.mode is not one of bios, uefi");
        QTest::newRow("bad flag") << QByteArray("disk.0.rotational\tyes\n")
                                  << QStringLiteral("line 1: disk.0.rotational is not 0 or 1");
        QTest::newRow("index too big") << QByteArray("disk.64.name\tsda\n")
                                       << QStringLiteral("line 1: disk.64.name has an index that is not 0 to 63");
        QTest::newRow("no index") << QByteArray("disk.name\tsda\n") << QStringLiteral("line 1: disk.name has no index");
        QTest::newRow("bad MAC") << QByteArray("nic.0.mac\tnot-a-mac\n")
                                 << QStringLiteral("line 1: nic.0.mac is not a MAC address");
        QTest::newRow("control character")
            << QByteArray("system.vendor\tA\x1b[2JB\n")
            << QStringLiteral("line 1: the value of system.vendor has a control character");
        QTest::newRow("long value") << QByteArray("system.vendor\t" + QByteArray(300, 'x')
            + '\n') << QStringLiteral("line 1: the value of system.vendor is longer than 256 characters");
        QTest::newRow("odd key") << QByteArray("sys/../vendor\tx\n")
                                 << QStringLiteral("line 1: the key is not letters, digits, '.', '_' and '-'");
        QTest::newRow("too large") << QByteArray(kInventoryMaxBytes + 1, '\n')
                                   << QStringLiteral("the report is larger than 65536 bytes");
    }
    void refusesBadReports()
    {
        QFETCH(QByteArray, report);
        QFETCH(QString, reason);
        QString why;
        QVERIFY(!parseInventoryReport(report, &why));
        QCOMPARE(why, reason);
    }

    void jsonRoundTrip()
    {
        const auto inv = parseInventoryReport(seedReport(), nullptr);
        QVERIFY(inv);
        QCOMPARE(HardwareInventory::fromJson(inv->toJson()), *inv);
        const QJsonObject json = inv->toJson();
        QCOMPARE(json.value(QStringLiteral("system")).toObject().value(QStringLiteral("serial")).toString(),
            QStringLiteral("SN-0042"));
        QCOMPARE(json.value(QStringLiteral("disks")).toArray().size(), 2);
        QCOMPARE(HardwareInventory::fromJson({}), HardwareInventory {});
    }

    void changesInWords()
    {
        const HardwareInventory before = *parseInventoryReport(seedReport(), nullptr);
        QVERIFY(inventoryChanges(before, before).isEmpty());
        // Link speed and SMART are today's state, not other hardware.
        HardwareInventory state = before;
        state.nics[0].speedMbps = 100;
        state.disks[1].smart = QStringLiteral("failed");
        QCOMPARE(state.hardwareOnly(), before.hardwareOnly());
        // The kernel's memory total moves a little between kernels: no change.
        HardwareInventory kernel = before;
        kernel.memoryKib -= 4096;
        QVERIFY(inventoryChanges(before, kernel).isEmpty());

        HardwareInventory after = before;
        after.memoryKib = 1007260;
        after.disks.removeFirst();
        after.nics.append(
            NicInfo { QStringLiteral("ens5"), QStringLiteral("52:54:00:12:34:58"), QStringLiteral("igb"), {}, 0 });
        after.systemSerial = QStringLiteral("SN-0043");
        const QStringList changes = inventoryChanges(before, after);
        QVERIFY2(changes.contains(QStringLiteral("system serial SN-0042 → SN-0043")), qPrintable(changes.join(u'|')));
        QVERIFY2(changes.contains(QStringLiteral("memory 1.9 GiB → 983.7 MiB")), qPrintable(changes.join(u'|')));
        QVERIFY2(
            changes.contains(QStringLiteral("disk vda (QM-DISK-1, 1.0 GiB) removed")), qPrintable(changes.join(u'|')));
        QVERIFY2(changes.contains(QStringLiteral("NIC 52:54:00:12:34:58 (igb) added")), qPrintable(changes.join(u'|')));
        QCOMPARE(changes.size(), 4);
    }

    // Found by fuzz_inventory: a DIMM of 15 digits of MiB overflowed in bytes (UBSan).
    void hugeNumbersDoNotOverflow()
    {
        const auto inv
            = parseInventoryReport("dimm.0.size_mib\t999999999999999\nmemory.kib\t999999999999999\n", nullptr);
        QVERIFY(inv);
        for (const auto &[label, value] : describeInventory(*inv))
            QVERIFY2(!value.contains(QLatin1Char('-')), qPrintable(label + QStringLiteral(": ") + value));
        QVERIFY(!inv->summary().contains(QLatin1Char('-')));
    }

    void describedForReaders()
    {
        const HardwareInventory inv = *parseInventoryReport(seedReport(), nullptr);
        QStringList lines;
        for (const auto &[label, value] : describeInventory(inv))
            lines << label + QStringLiteral(": ") + value;
        QVERIFY2(lines.contains(QStringLiteral("Serial number: SN-0042")), qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(QStringLiteral("Disk vda: serial QM-DISK-1 · 1.0 GiB · rotational")),
            qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(QStringLiteral("NIC ens3: 52:54:00:12:34:56 · e1000 · PCI 8086:100e · 1000 Mb/s")),
            qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(QStringLiteral("NIC ens4: 52:54:00:12:34:57 · virtio_net · no link")),
            qPrintable(lines.join(u'\n')));
        QVERIFY(describeInventory(HardwareInventory {}).isEmpty());
    }

    void testReportParsed()
    {
        const QByteArray text = "suite\tburn-in\n"
                                "test.1.name\t20-disk-read\ntest.1.result\tfail\ntest.1.duration_ms\t900\n"
                                "test.1.metric\tvda.read_mib_per_s=41.5\ntest.1.output\tvda: read error at 12 MiB\n"
                                "test.0.name\t10-cpu-memory\ntest.0.result\tpass\ntest.0.duration_ms\t5012\n"
                                "test.0.metric\tthreads=2\ntest.0.metric\tmemory_mib=1987\r\n"
                                "test.0.future_field\tignored\n";
        QString why;
        const auto report = parseTestReport(text, &why);
        QVERIFY2(report, qPrintable(why));
        QCOMPARE(report->suite, QStringLiteral("burn-in"));
        QCOMPARE(report->tests.size(), 2);
        QCOMPARE(report->tests[0].name, QStringLiteral("10-cpu-memory")); // by index, not by line order
        QVERIFY(report->tests[0].passed);
        QCOMPARE(report->tests[0].metrics.size(), 2);
        QCOMPARE(report->tests[0].metrics[1].first, QStringLiteral("memory_mib"));
        QCOMPARE(report->tests[0].metrics[1].second, 1987.0);
        QCOMPARE(report->tests[1].output, QStringLiteral("vda: read error at 12 MiB"));
        QVERIFY(!report->passed());
        QCOMPARE(report->failedTests(), QStringList { QStringLiteral("20-disk-read") });
        // The stored form keeps everything, the metrics' order too.
        QCOMPARE(TestReport::testsFromJson(report->toJson()), report->tests);
        QCOMPARE(describeMetrics(report->tests[0]),
            QStringLiteral("threads 2 · memory_mib ") + QLocale().toString(1987.0, 'g', 8));
    }

    void testReportRefused_data()
    {
        QTest::addColumn<QByteArray>("report");
        QTest::addColumn<QString>("reason");
        const QByteArray ok = "test.0.name\tcpu\ntest.0.result\tpass\n";
        QTest::newRow("empty") << QByteArray("suite\tburn-in\n") << QStringLiteral("the report names no test");
        QTest::newRow("no result") << QByteArray("test.0.name\tcpu\n") << QStringLiteral("test cpu has no result");
        QTest::newRow("no name") << QByteArray("test.0.result\tpass\n") << QStringLiteral("test 0 has no name");
        QTest::newRow("bad result") << QByteArray("test.0.result\tok\n")
                                    << QStringLiteral("line 1: test.0.result is not pass or fail");
        QTest::newRow("bad name") << QByteArray("test.0.name\t../../etc\n")
                                  << QStringLiteral(
                                         "line 1: test.0.name is not a test name (letters, digits, '.', '_' and '-', "
                                         "at most 64)");
        QTest::newRow("index") << ok + "test.64.name\tx\n"
                               << QStringLiteral("line 3: test.64.name does not name a test 0 to 63");
        QTest::newRow("negative index") << QByteArray("test.-1.name\tx\n")
                                        << QStringLiteral("line 1: test.-1.name does not name a test 0 to 63");
        QTest::newRow("duration") << ok + "test.0.duration_ms\t-5\n"
                                  << QStringLiteral("line 3: test.0.duration_ms is not a duration in milliseconds");
        QTest::newRow("a year") << ok + "test.0.duration_ms\t31536000000\n"
                                << QStringLiteral("line 3: test.0.duration_ms is not a duration in milliseconds");
        QTest::newRow("metric") << ok + "test.0.metric\tspeed\n"
                                << QStringLiteral("line 3: test.0.metric is not NAME=NUMBER");
        QTest::newRow("repeated metric") << ok + "test.0.metric\tspeed=1\ntest.0.metric\tspeed=2\n"
                                         << QStringLiteral("line 4: test.0.metric repeats the metric speed");
        QTest::newRow("nan") << ok + "test.0.metric\tspeed=nan\n"
                             << QStringLiteral("line 3: test.0.metric is not NAME=NUMBER");
        QTest::newRow("control") << ok + "test.0.output\tA\x1b[2J\n"
                                 << QStringLiteral("line 3: the value of test.0.output has a control character");
        QByteArray many = ok;
        for (int i = 0; i <= kTestMaxMetrics; ++i)
            many += "test.0.metric\tm" + QByteArray::number(i) + "=1\n";
        QTest::newRow("metrics") << many << QStringLiteral("line 35: test.0.metric is one metric more than 32");
        QTest::newRow("too large") << QByteArray(kTestReportMaxBytes + 1, '\n')
                                   << QStringLiteral("the report is larger than 65536 bytes");
    }
    void testReportRefused()
    {
        QFETCH(QByteArray, report);
        QFETCH(QString, reason);
        QString why;
        QVERIFY(!parseTestReport(report, &why));
        QCOMPARE(why, reason);
    }

    // The fuzz target runs under clang with sanitizers (tests/fuzz); this keeps a quick pass
    // of random mutations in every build.
    void mutationsNeverCrash()
    {
        const QByteArray seed = seedReport();
        QRandomGenerator random(42);
        for (int i = 0; i < 3000; ++i) {
            QByteArray input = seed;
            for (int n = 0; n < 8; ++n)
                input[random.bounded(int(input.size()))] = char(random.bounded(256));
            QString why;
            if (const auto inv = parseInventoryReport(input, &why))
                QCOMPARE(HardwareInventory::fromJson(inv->toJson()), *inv);
            else
                QVERIFY(!why.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TstInventory)
#include "tst_inventory.moc"
