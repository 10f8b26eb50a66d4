// The Secure Boot chain's pure parts: the GRUB configurations (what they load and pass, and
// that no catalog value escapes its quotes), GRUB's name for the server, the kernel signature
// read from a PE header (built here byte by byte, signed and not, whole and truncated), and
// which secure boot mode applies to a machine.
#include "boot/grubscript.h"
#include "boot/secureboot.h"
#include "catalog/catalog.h"
#include "fleet/lifecycle.h"
#include "lab/lab.h"
#include "store/imagestore.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QRegularExpression>
#include <QTest>
#include <QtEndian>

using namespace drover;
using namespace drover::test;

namespace {

BootScriptInput sampleInput()
{
    BootScriptInput in;
    in.serverUrl = QStringLiteral("http://10.0.0.1:8080");
    in.mac = QStringLiteral("52:54:00:12:34:56");
    in.machine = QStringLiteral("pc-01");
    in.image = QStringLiteral("debian:12.1");
    in.manifest = Digest::fromHex(QString(64, QLatin1Char('a')));
    in.kernel = BlobRef { Digest::fromHex(QString(64, QLatin1Char('b'))), 100 };
    in.initrd = BlobRef { Digest::fromHex(QString(64, QLatin1Char('c'))), 200 };
    in.imageArgs = QStringLiteral("quiet ds=nocloud");
    in.machineArgs = QStringLiteral("console=ttyS0");
    in.bootId = QStringLiteral("0123456789abcdef");
    in.token = QStringLiteral("0123456789abcdef0123456789abcdef");
    return in;
}

// A PE image header: DOS stub pointing at "PE\0\0", the COFF header and an optional header
// with `directories` data directories, the certificate table (the fifth) set as given.
QByteArray peHeader(quint16 magic, quint32 directories, quint32 certOffset, quint32 certSize)
{
    QByteArray b(4096, '\0');
    auto put16 = [&b](int at, quint16 v) { qToLittleEndian(v, b.data() + at); };
    auto put32 = [&b](int at, quint32 v) { qToLittleEndian(v, b.data() + at); };
    b[0] = 'M';
    b[1] = 'Z';
    const int pe = 0x80;
    put32(0x3c, pe);
    b[pe] = 'P';
    b[pe + 1] = 'E';
    const bool plus = magic == 0x20b;
    const int countAt = plus ? 108 : 92;
    put16(pe + 4, 0x8664);
    put16(pe + 4 + 16, quint16(countAt + 4 + directories * 8)); // SizeOfOptionalHeader
    const int optional = pe + 24;
    put16(optional, magic);
    put32(optional + countAt, directories);
    if (directories > 4) {
        put32(optional + countAt + 4 + 32, certOffset);
        put32(optional + countAt + 4 + 36, certSize);
    }
    return b;
}

} // namespace

class TstSecureBoot : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void grubBootScript()
    {
        const RenderedScript r = renderGrubBootScript(sampleInput());
        QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
        const QString text = QString::fromLatin1(r.text);
        const QString device = QStringLiteral("(http,10.0.0.1:8080)");
        QVERIFY2(
            text.contains(QStringLiteral("  if linux %1/blobs/sha256:%2 'quiet' 'ds=nocloud;s=http://10.0.0.1:8080/"
                                         "nocloud/525400123456/0123456789abcdef/0123456789abcdef0123456789abcdef/' "
                                         "'console=ttyS0' 'drover.server=http://10.0.0.1:8080' ")
                    .arg(device, QString(64, QLatin1Char('b')))),
            qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("    if initrd %1/blobs/sha256:%2; then\n      boot\n")
                .arg(device, QString(64, QLatin1Char('c')))));
        QVERIFY(text.contains(QStringLiteral("for drover_try in 1 2 3 4 5; do\n")));
        QVERIFY(text.endsWith(
            QStringLiteral("done\necho 'Drover: 5 downloads failed, asking the server again'\nsleep 5\n")));
        // GRUB hands the initrd over itself: no iPXE-style initrd= argument.
        QVERIFY(!r.kernelArgs.contains(QLatin1String("initrd=")));
        QCOMPARE(r.kernelArgs.count(QLatin1String("drover.token=")), 1);
    }

    // Whatever the catalog holds, every argument stays one quoted word and the script's
    // lines are the same commands.
    void grubInjection_data()
    {
        QTest::addColumn<QString>("args");
        QTest::newRow("semicolon") << "a;reboot";
        QTest::newRow("single quote") << "a='b;reboot' c";
        QTest::newRow("variable") << "x=${prefix} y=$root";
        QTest::newRow("newline") << "quiet\nreboot\n";
        QTest::newRow("braces") << "}{ fi; done";
        QTest::newRow("backslash") << "a\\';reboot";
        QTest::newRow("reserved") << "drover.server=http://evil:1 initrd=evil";
    }
    void grubInjection()
    {
        QFETCH(QString, args);
        BootScriptInput in = sampleInput();
        in.machineArgs = args;
        in.note = args;
        in.machine = args;
        const RenderedScript r = renderGrubBootScript(in);
        BootScriptInput withNote = sampleInput();
        withNote.note = QStringLiteral("a note");
        const RenderedScript plain = renderGrubBootScript(withNote);
        QCOMPARE(r.text.count('\n'), plain.text.count('\n'));
        const QString text = QString::fromLatin1(r.text);
        for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QString command = line.trimmed().section(QLatin1Char(' '), 0, 0);
            static const QStringList allowed
                = { QStringLiteral("#"), QStringLiteral("echo"), QStringLiteral("sleep"), QStringLiteral("for"),
                      QStringLiteral("if"), QStringLiteral("boot"), QStringLiteral("fi"), QStringLiteral("done") };
            QVERIFY2(allowed.contains(command), qPrintable(line));
            // Outside quotes, no ';' or '$' from the catalog.
            QString outside = line;
            outside.remove(QRegularExpression(QStringLiteral("'[^']*'")));
            QVERIFY2(!outside.contains(QLatin1Char('$')), qPrintable(line));
            if (!line.trimmed().startsWith(QLatin1String("for ")) && !line.trimmed().startsWith(QLatin1String("if ")))
                QVERIFY2(!outside.contains(QLatin1Char(';')), qPrintable(line));
        }
        QCOMPARE(r.kernelArgs.count(QLatin1String("drover.server=")), 1);
        QVERIFY(!r.kernelArgs.contains(QLatin1String("initrd=")));
    }

    void grubWaitAndExit()
    {
        const QByteArray wait = renderGrubWaitScript(QStringLiteral("no image; it's $x"), 30);
        QVERIFY2(wait.contains("echo 'Drover: no image? its ?x'\n"), wait.constData());
        QVERIFY(wait.endsWith("sleep 30\n"));
        const QByteArray exit = renderGrubExitScript(QStringLiteral("not managed"));
        QVERIFY(exit.endsWith("exit\n"));
        const QByteArray bootstrap = renderGrubBootstrap(8080);
        QVERIFY(bootstrap.contains("while true; do\n"));
        QVERIFY(bootstrap.contains("  source (http,${net_default_server}:8080)/boot/${net_default_mac}.grub\n"));
        QVERIFY(!bootstrap.contains("configfile")); // nesting configfile stops at a small depth
    }

    void grubHttpDevice_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("device");
        QTest::newRow("port") << "http://10.0.0.1:8080" << "(http,10.0.0.1:8080)";
        QTest::newRow("default port") << "http://10.0.0.1" << "(http,10.0.0.1:80)";
        QTest::newRow("name") << "http://drover.lab:81" << "(http,drover.lab:81)";
        QTest::newRow("ipv6") << "http://[fd00::1]:8080" << "";
        QTest::newRow("path") << "http://10.0.0.1:8080/x" << "";
        QTest::newRow("injection") << "http://a,b)/x;reboot" << "";
    }
    void grubHttpDevice()
    {
        QFETCH(QString, url);
        QTEST(drover::grubHttpDevice(url), "device");
    }

    void kernelSignature_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<qint64>("fileSize");
        QTest::addColumn<int>("expected");
        const int yes = int(KernelSignature::Signed), no = int(KernelSignature::Unsigned),
                  notEfi = int(KernelSignature::NotEfi);
        QTest::newRow("PE32+ signed") << peHeader(0x20b, 16, 0x10000, 0x800) << qint64(0x10800) << yes;
        QTest::newRow("PE32 signed") << peHeader(0x10b, 16, 0x10000, 0x800) << qint64(0x20000) << yes;
        QTest::newRow("no certificate table") << peHeader(0x20b, 16, 0, 0) << qint64(0x10800) << no;
        QTest::newRow("table past the end") << peHeader(0x20b, 16, 0x10000, 0x800) << qint64(0x10000) << no;
        QTest::newRow("four directories") << peHeader(0x20b, 4, 0, 0) << qint64(0x10000) << no;
        QTest::newRow("not MZ") << QByteArray(4096, 'x') << qint64(4096) << notEfi;
        QTest::newRow("truncated") << peHeader(0x20b, 16, 0x10000, 0x800).left(0xa0) << qint64(0x10800) << notEfi;
        QTest::newRow("empty") << QByteArray() << qint64(0) << notEfi;
        QTest::newRow("unknown magic") << peHeader(0x30b, 16, 0x10000, 0x800) << qint64(0x10800) << notEfi;
        QByteArray far = peHeader(0x20b, 16, 0x10000, 0x800);
        qToLittleEndian(quint32(0x7ffffff0), far.data() + 0x3c);
        QTest::newRow("PE offset outside") << far << qint64(0x10800) << notEfi;
        QTest::newRow("directory count lies")
            << peHeader(0x20b, 0xffffffff, 0x10000, 0x800) << qint64(0x10800) << notEfi;
    }
    void kernelSignature()
    {
        QFETCH(QByteArray, head);
        QFETCH(qint64, fileSize);
        QFETCH(int, expected);
        QCOMPARE(int(drover::kernelSignature(head, fileSize)), expected);
    }

    // An image whose kernel is not signed cannot be assigned where Secure Boot is on (the
    // firmware would refuse it); a signed one can; auto and off do not check.
    void unsignedKernelRefused()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        auto plain = addTestImage(t.lab.get(), QStringLiteral("plain"), QStringLiteral("1"));
        QVERIFY2(plain, qPrintable(plain.error()));
        // The same image with a kernel whose PE header carries a certificate table.
        const ImageStore store(t.lab->storeDir());
        QByteArray signedKernel = peHeader(0x20b, 16, 0x1000, 0x100);
        signedKernel.append(QByteArray(0x1100 - signedKernel.size(), 'k'));
        auto kernel = store.blobs().putBytes(signedKernel);
        QVERIFY2(kernel, qPrintable(kernel.error()));
        Manifest m = plain.value().manifest;
        m.name = QStringLiteral("signed");
        m.kernel = kernel.value();
        auto published = publishImage(store, *c, m);
        QVERIFY2(published, qPrintable(published.error()));
        QVERIFY(c->addMachine(
            testMachine(QStringLiteral("pc-01"), QStringLiteral("52:54:00:00:00:01"), QStringLiteral("room-a"))));
        QVERIFY(c->addMachine(
            testMachine(QStringLiteral("pc-02"), QStringLiteral("52:54:00:00:00:02"), QStringLiteral("room-b"))));
        const QString storeDir = t.lab->storeDir();

        // auto (nothing set): anything goes.
        QVERIFY(secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("plain:1"))
                .isEmpty());
        QVERIFY(c->setSetting(secureBootGroupKey(QStringLiteral("room-a")), QStringLiteral("on")));
        const QString refused
            = secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("plain:1"));
        QVERIFY(refused.contains(QLatin1String("plain:1")));
        QVERIFY(refused.contains(QLatin1String("pc-01")));
        QVERIFY(refused.contains(QLatin1String("not an EFI image")));
        QVERIFY(
            secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("signed:1"))
                .isEmpty());
        // The group, and the default (every machine), include pc-01; room-b's pc-02 alone does not.
        QVERIFY(!secureBootRefusal(*c, storeDir, TargetKind::Group, QStringLiteral("room-a"), QStringLiteral("plain:1"))
                .isEmpty());
        QVERIFY(!secureBootRefusal(*c, storeDir, TargetKind::Default, {}, QStringLiteral("plain:1")).isEmpty());
        QVERIFY(secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-02"), QStringLiteral("plain:1"))
                .isEmpty());
        // The machine's own "off" wins over its group's "on".
        QVERIFY(c->setSetting(secureBootMachineKey(QStringLiteral("pc-01")), QStringLiteral("off")));
        QVERIFY(secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("plain:1"))
                .isEmpty());
        QVERIFY(c->setSetting(secureBootMachineKey(QStringLiteral("pc-01")), QStringLiteral("on")));
        // memtest86+ is not signed: refused where Secure Boot is on; the local disk is the
        // firmware's own business and never refused.
        const QString memtest
            = secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("@memtest"));
        QVERIFY2(
            memtest.contains(QLatin1String("memtest86+ is not signed")) && memtest.contains(QLatin1String("pc-01")),
            qPrintable(memtest));
        QVERIFY(
            secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-02"), QStringLiteral("@memtest"))
                .isEmpty());
        QVERIFY(
            secureBootRefusal(*c, storeDir, TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("@local-disk"))
                .isEmpty());

        // What the fleet table uses: all or nothing, with the reason; nothing is assigned.
        Lifecycle lifecycle(c);
        lifecycle.setStoreDir(storeDir);
        auto assigned = lifecycle.assign({ AssignTarget { TargetKind::Machine, QStringLiteral("pc-02") },
                                             AssignTarget { TargetKind::Machine, QStringLiteral("pc-01") } },
            QStringLiteral("plain:1"), QStringLiteral("admin"), {});
        QVERIFY(!assigned);
        QVERIFY(assigned.error().contains(QLatin1String("Secure Boot")));
        QVERIFY(!c->currentAssignment(TargetKind::Machine, QStringLiteral("pc-02")));
        QVERIFY(lifecycle.assign({ AssignTarget { TargetKind::Machine, QStringLiteral("pc-01") } },
            QStringLiteral("signed:1"), QStringLiteral("admin"), {}));
        // pc-01 has its own assignment now: a default one no longer reaches it, so the lab's
        // default may be an unsigned image while pc-01 keeps its signed one.
        QVERIFY(secureBootRefusal(*c, storeDir, TargetKind::Default, {}, QStringLiteral("plain:1")).isEmpty());
        // Its group stays "on": a group assignment is refused for the members to come.
        QVERIFY(!secureBootRefusal(*c, storeDir, TargetKind::Group, QStringLiteral("room-a"), QStringLiteral("plain:1"))
                .isEmpty());
    }

    void modeFor_data()
    {
        QTest::addColumn<QString>("machineValue");
        QTest::addColumn<QString>("groupValue");
        QTest::addColumn<QString>("defaultValue");
        QTest::addColumn<QString>("mode");
        QTest::newRow("nothing set") << "" << "" << "" << "auto";
        QTest::newRow("default off") << "" << "" << "off" << "off";
        QTest::newRow("group over default") << "" << "on" << "off" << "on";
        QTest::newRow("machine over group") << "off" << "on" << "on" << "off";
        QTest::newRow("machine auto") << "auto" << "off" << "" << "auto";
        QTest::newRow("garbage is auto") << "maybe" << "off" << "" << "auto";
        QTest::newRow("case and spaces") << " ON " << "" << "" << "on";
    }
    void modeFor()
    {
        QFETCH(QString, machineValue);
        QFETCH(QString, groupValue);
        QFETCH(QString, defaultValue);
        Machine m;
        m.name = QStringLiteral("pc-01");
        m.labels.insert(QStringLiteral("group"), QStringLiteral("room-a"));
        const QHash<QString, QString> settings { { QStringLiteral("secureboot/machine/pc-01"), machineValue },
            { QStringLiteral("secureboot/group/room-a"), groupValue },
            { QStringLiteral("secureboot/default"), defaultValue } };
        const auto mode = secureBootModeFor([&settings](const QString &key) { return settings.value(key); }, m);
        QTEST(secureBootModeKey(mode), "mode");
    }
};

QTEST_GUILESS_MAIN(TstSecureBoot)
#include "tst_secureboot.moc"
