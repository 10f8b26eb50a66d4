// The drover executable's verbs, run as a user or a script would: exit codes, --json,
// messages that say what was wrong.
#include "catalog/catalog.h"
#include "cli/cli.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

class TstCli : public QObject {
    Q_OBJECT

    struct Run {
        int code;
        QByteArray out;
        QByteArray err;
    };

    QTemporaryDir m_dir;

    Run drover(const QStringList &args)
    {
        QProcess p;
        p.start(
            qEnvironmentVariable("DROVER_EXECUTABLE"), QStringList { QStringLiteral("--data"), m_dir.path() } + args);
        if (!p.waitForFinished(30000))
            qFatal("drover %s did not finish", qPrintable(args.join(QLatin1Char(' '))));
        return { p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError() };
    }

    // The start of an ISO 9660 image: a primary volume descriptor, an El Torito boot record
    // or not, and the terminator, from sector 16.
    static QByteArray isoBytes(bool elTorito)
    {
        QByteArray bytes(16 * 2048, '\0');
        auto descriptor = [&bytes](char type, const QByteArray &id) {
            QByteArray d(2048, '\0');
            d[0] = type;
            d.replace(1, 5, "CD001");
            d[6] = 1;
            d.replace(7, id.size(), id);
            bytes += d;
        };
        descriptor(1, "LINUX");
        if (elTorito)
            descriptor(0, "EL TORITO SPECIFICATION");
        descriptor(char(255), {});
        return bytes;
    }

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown verb") << QStringList { QStringLiteral("frobnicate") } << 2
                                      << QStringLiteral("unknown command");
        QTest::newRow("bad mac") << QStringList { QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("x"),
            QStringLiteral("--mac"), QStringLiteral("zz") }
                                 << 2 << QStringLiteral("not a MAC address");
        QTest::newRow("missing name") << QStringList { QStringLiteral("machine"), QStringLiteral("show") } << 2
                                      << QStringLiteral("wrong number of arguments");
        QTest::newRow("no such machine") << QStringList { QStringLiteral("machine"), QStringLiteral("show"),
            QStringLiteral("nope") } << 1 << QStringLiteral("no machine named 'nope'");
        QTest::newRow("unknown option") << QStringList { QStringLiteral("machine"), QStringLiteral("ls"),
            QStringLiteral("--bogus") } << 2
                                        << QStringLiteral("bogus");
        QTest::newRow("assign to nothing") << QStringList { QStringLiteral("assign"), QStringLiteral("ghost"),
            QStringLiteral("a:1") } << 1 << QStringLiteral("neither a machine nor a group");
        QTest::newRow("help") << QStringList { QStringLiteral("--help") } << 0 << QString();
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = drover(args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    // Listing, behind every `ls` verb: one row given once comes out as an aligned table or,
    // with --json, as an array of its objects; the empty text only stands in for an empty table.
    void listing_data()
    {
        QTest::addColumn<bool>("json");
        QTest::addColumn<int>("rows");
        QTest::addColumn<QString>("empty");
        QTest::addColumn<QString>("expected");
        QTest::newRow("table") << false << 2 << QString() << QStringLiteral("NAME   N\nrow-0  0\nrow-1  1\n");
        QTest::newRow("empty table") << false << 0 << QString() << QStringLiteral("NAME  N\n");
        QTest::newRow("empty text") << false << 0 << QStringLiteral("none yet") << QStringLiteral("none yet\n");
        QTest::newRow("rows hide the empty text")
            << false << 1 << QStringLiteral("none yet") << QStringLiteral("NAME   N\nrow-0  0\n");
        QTest::newRow("json") << true << 2 << QStringLiteral("none yet")
                              << QStringLiteral("[\n    {\n        \"n\": 0,\n        \"name\": \"row-0\"\n    },\n"
                                                "    {\n        \"n\": 1,\n        \"name\": \"row-1\"\n    }\n]\n");
        QTest::newRow("empty json") << true << 0 << QStringLiteral("none yet") << QStringLiteral("[\n]\n");
    }

    void listing()
    {
        QFETCH(bool, json);
        QFETCH(int, rows);
        QFETCH(QString, empty);
        QFETCH(QString, expected);
        QString out;
        QString err;
        QTextStream outStream(&out);
        QTextStream errStream(&err);
        drover::CliContext ctx { nullptr, {}, outStream, errStream, json, {} };
        drover::Listing listing({ QStringLiteral("NAME"), QStringLiteral("N") });
        for (int i = 0; i < rows; ++i) {
            const QString name = QStringLiteral("row-%1").arg(i);
            listing.add(QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("n"), i } },
                { name, QString::number(i) });
        }
        QCOMPARE(listing.print(ctx, empty), int(drover::ExitOk));
        QCOMPARE(out, expected);
        QVERIFY(err.isEmpty());
    }

    void machineRoundTrip()
    {
        Run r = drover(
            { QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("pc-01"), QStringLiteral("--mac"),
                QStringLiteral("52-54-00-AA-00-01"), QStringLiteral("--label"), QStringLiteral("group=lab") });
        QCOMPARE(r.code, 0);
        r = drover({ QStringLiteral("machine"), QStringLiteral("ls"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        const QJsonArray list = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first()[QStringLiteral("mac")].toString(), QStringLiteral("52:54:00:aa:00:01"));
        QCOMPARE(list.first()[QStringLiteral("labels")][QStringLiteral("group")].toString(), QStringLiteral("lab"));

        r = drover({ QStringLiteral("machine"), QStringLiteral("ls") });
        QVERIFY(r.out.contains("pc-01"));
        r = drover({ QStringLiteral("machine"), QStringLiteral("rm"), QStringLiteral("pc-01") });
        QCOMPARE(r.code, 0);
        r = drover({ QStringLiteral("--json"), QStringLiteral("machine"), QStringLiteral("ls") });
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 0);
    }

    // A bench of new machines named from a pattern and labelled; their configuration follows
    // the rename; their hardware exported per group (none reported yet: empty columns).
    void namingAndInventory()
    {
        const QStringList bench { QStringLiteral("n-a"), QStringLiteral("n-b"), QStringLiteral("n-c") };
        for (qsizetype i = 0; i < bench.size(); ++i) {
            QCOMPARE(drover({ QStringLiteral("machine"), QStringLiteral("add"), bench.at(i), QStringLiteral("--mac"),
                                QStringLiteral("52:54:00:bb:00:0%1").arg(i + 1) })
                         .code,
                0);
        }
        const QString config = m_dir.filePath(QStringLiteral("b.json"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"hostname": "special"})");
        f.close();
        QCOMPARE(drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("n-b"), config }).code, 0);

        Run r = drover(
            { QStringLiteral("machine"), QStringLiteral("name"), QStringLiteral("lab"), QStringLiteral("n-a") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("has no {n}"), r.err.constData());
        r = drover(
            { QStringLiteral("machine"), QStringLiteral("name"), QStringLiteral("lab_{n}"), QStringLiteral("n-a") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("'lab_1' is not a host name"), r.err.constData());
        r = drover({ QStringLiteral("machine"), QStringLiteral("name"), QStringLiteral("lab-{n:02}"),
            QStringLiteral("n-a"), QStringLiteral("n-b"), QStringLiteral("n-c"), QStringLiteral("--first"),
            QStringLiteral("7"), QStringLiteral("--label"), QStringLiteral("group=room-b") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("n-b is now lab-08"), r.out.constData());
        // A name taken by another machine is refused, and nothing is renamed.
        r = drover({ QStringLiteral("machine"), QStringLiteral("name"), QStringLiteral("lab-{n:02}"),
            QStringLiteral("lab-07"), QStringLiteral("--first"), QStringLiteral("9") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("a machine named 'lab-09' exists already"), r.err.constData());
        r = drover(
            { QStringLiteral("--json"), QStringLiteral("machine"), QStringLiteral("show"), QStringLiteral("lab-08") });
        QCOMPARE(r.code, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out)[QStringLiteral("labels")][QStringLiteral("group")].toString(),
            QStringLiteral("room-b"));
        r = drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("lab-08") });
        QVERIFY2(r.out.contains("special"), r.out.constData());

        r = drover({ QStringLiteral("inventory"), QStringLiteral("show"), QStringLiteral("lab-07") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("has not reported its hardware yet"), r.out.constData());
        r = drover({ QStringLiteral("inventory"), QStringLiteral("export"), QStringLiteral("--group"),
            QStringLiteral("room-b") });
        QCOMPARE(r.code, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines.first().startsWith("machine,mac,group,system_vendor"));
        QVERIFY(lines.at(1).startsWith("lab-07,52:54:00:bb:00:01,room-b,"));
        r = drover({ QStringLiteral("inventory"), QStringLiteral("export"), QStringLiteral("--format"),
            QStringLiteral("xml") });
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("neither csv nor json"), r.err.constData());
        const QString out = m_dir.filePath(QStringLiteral("room-b.json"));
        r = drover({ QStringLiteral("inventory"), QStringLiteral("export"), QStringLiteral("--group"),
            QStringLiteral("room-b"), QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"), out });
        QCOMPARE(r.code, 0);
        QFile written(out);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(written.readAll()).array().size(), 3);
        r = drover({ QStringLiteral("inventory"), QStringLiteral("export"), QStringLiteral("--group"),
            QStringLiteral("nobody") });
        QCOMPARE(r.code, 1);
        // The hand-over page of the group, and of machines by name.
        const QString page = m_dir.filePath(QStringLiteral("room-b.html"));
        r = drover({ QStringLiteral("inventory"), QStringLiteral("summary"), QStringLiteral("--group"),
            QStringLiteral("room-b"), QStringLiteral("-o"), page });
        QCOMPARE(r.code, 0);
        QFile html(page);
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QByteArray sheet = html.readAll();
        QVERIFY2(sheet.contains("<h2>lab-09</h2>") && sheet.contains("group=room-b"), sheet.constData());
        QCOMPARE(sheet.count("not reported yet"), 3);
        r = drover({ QStringLiteral("inventory"), QStringLiteral("summary") });
        QCOMPARE(r.code, 2);
        r = drover({ QStringLiteral("inventory"), QStringLiteral("summary"), QStringLiteral("lab-07"),
            QStringLiteral("ghost") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no machine named 'ghost'"), r.err.constData());
        for (const char *m : { "lab-07", "lab-08", "lab-09" })
            QCOMPARE(drover({ QStringLiteral("machine"), QStringLiteral("rm"), QString::fromLatin1(m) }).code, 0);
    }

    // drover tests show|clear, and the burn-in line of drover machine show, over results a
    // boot recorded in the catalog.
    void burninResults()
    {
        QCOMPARE(drover({ QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("b-1"),
                            QStringLiteral("--mac"), QStringLiteral("52:54:00:bc:00:01") })
                     .code,
            0);
        Run r = drover({ QStringLiteral("tests"), QStringLiteral("show"), QStringLiteral("b-1") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("has not run any tests"), r.out.constData());
        {
            auto catalog = drover::Catalog::open(m_dir.filePath(QStringLiteral("catalog.sqlite")));
            QVERIFY2(catalog, qPrintable(catalog.error()));
            QString why;
            const auto report = drover::parseTestReport(
                "suite\tburn-in\ntest.0.name\t10-cpu-memory\ntest.0.result\tfail\ntest.0.duration_ms\t5100\n"
                "test.0.metric\tmemory_mib=1987\ntest.0.output\tmemory 1987 MiB is less than 4096 MiB\n"
                "test.1.name\t30-smart\ntest.1.result\tpass\n",
                &why);
            QVERIFY2(report, qPrintable(why));
            QVERIFY((*catalog)->recordTestRun(QStringLiteral("b-1"), QStringLiteral("0123abcd"), *report).ok());
        }
        r = drover({ QStringLiteral("tests"), QStringLiteral("show"), QStringLiteral("b-1") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("burn-in failed") && r.out.contains("FAIL  10-cpu-memory")
                && r.out.contains("memory 1987 MiB is less than 4096 MiB") && r.out.contains("pass  30-smart")
                && r.out.contains("no rollout reaches it until drover tests clear b-1"),
            r.out.constData());
        r = drover(
            { QStringLiteral("--json"), QStringLiteral("tests"), QStringLiteral("show"), QStringLiteral("b-1") });
        QJsonObject json = QJsonDocument::fromJson(r.out).object();
        QVERIFY(json[QStringLiteral("burninFailed")].toBool());
        const QJsonObject run = json[QStringLiteral("runs")].toArray().first().toObject();
        QVERIFY(!run[QStringLiteral("passed")].toBool());
        QCOMPARE(run[QStringLiteral("tests")][0][QStringLiteral("metrics")][QStringLiteral("memory_mib")].toDouble(),
            1987.0);
        QCOMPARE(run[QStringLiteral("tests")][0][QStringLiteral("durationMs")].toInt(), 5100);
        r = drover({ QStringLiteral("machine"), QStringLiteral("show"), QStringLiteral("b-1") });
        QVERIFY2(
            r.out.contains("burn-in:") && r.out.contains("no rollout reaches it until cleared"), r.out.constData());
        // The hand-over sheet carries the burn-in with its numbers.
        r = drover({ QStringLiteral("inventory"), QStringLiteral("summary"), QStringLiteral("b-1") });
        QVERIFY2(
            r.out.contains("<b>burn-in failed") && r.out.contains("<th>10-cpu-memory</th><td>FAIL"), r.out.constData());

        QCOMPARE(drover({ QStringLiteral("tests"), QStringLiteral("clear"), QStringLiteral("b-1") }).code, 0);
        r = drover(
            { QStringLiteral("--json"), QStringLiteral("tests"), QStringLiteral("show"), QStringLiteral("b-1") });
        QVERIFY(!QJsonDocument::fromJson(r.out)[QStringLiteral("burninFailed")].toBool());
        r = drover({ QStringLiteral("machine"), QStringLiteral("show"), QStringLiteral("b-1") });
        QVERIFY2(r.out.contains("cleared"), r.out.constData());
        r = drover({ QStringLiteral("tests"), QStringLiteral("clear"), QStringLiteral("ghost") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no machine named ghost"), r.err.constData());
        QCOMPARE(drover({ QStringLiteral("machine"), QStringLiteral("rm"), QStringLiteral("b-1") }).code, 0);

        // The staging image for new machines: shown, refused when the catalog lacks it.
        r = drover({ QStringLiteral("new-machine-image") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("new machines wait for an admin"), r.out.constData());
        r = drover({ QStringLiteral("new-machine-image"), QStringLiteral("burnin:9") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("there is no image burnin:9 in the catalog"), r.err.constData());
        r = drover({ QStringLiteral("new-machine-image"), QStringLiteral("burnin:9"), QStringLiteral("--none") });
        QCOMPARE(r.code, 2);
        QCOMPARE(drover({ QStringLiteral("new-machine-image"), QStringLiteral("--none") }).code, 0);
    }

    // What drover iso add refuses: it says which file and what is wrong with it.
    void isoFiles_data()
    {
        QTest::addColumn<QByteArray>("content"); // "dir" for a directory
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("no file") << QByteArray() << "x" << "no such file";
        QTest::newRow("a directory") << QByteArray("dir") << "x" << "not a regular file";
        QTest::newRow("too short") << QByteArray("hello") << "x" << "is not an ISO 9660 image";
        QTest::newRow("no boot record") << isoBytes(false) << "x" << "without an El Torito boot record";
        QTest::newRow("a bad name") << isoBytes(true) << "x;reboot" << "cannot name an ISO";
    }

    void isoFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, name);
        QFETCH(QString, message);
        const QString path = m_dir.filePath(QStringLiteral("bad.iso"));
        QDir(path).removeRecursively();
        QFile::remove(path);
        if (content == "dir") {
            QVERIFY(QDir().mkpath(path));
        } else if (!content.isEmpty()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const Run r = drover({ QStringLiteral("iso"), QStringLiteral("add"), path, QStringLiteral("--name"), name });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains(path.toUtf8()) || name != QLatin1String("x"), r.err.constData()); // names the file
        QVERIFY(QJsonDocument::fromJson(
            drover({ QStringLiteral("--json"), QStringLiteral("iso"), QStringLiteral("ls") }).out)
                .array()
                .isEmpty());
    }

    // drover iso add|ls|rm and assign --target iso:NAME.
    void isoTargets()
    {
        const QString path = m_dir.filePath(QStringLiteral("Rescue Disk 2.iso"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(isoBytes(true));
        f.close();
        Run r = drover({ QStringLiteral("iso"), QStringLiteral("add"), path });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("added ISO Rescue-Disk-2") && r.out.contains("--target iso:Rescue-Disk-2"),
            r.out.constData());
        r = drover({ QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("pc-09"), QStringLiteral("--mac"),
            QStringLiteral("52-54-00-AA-00-09") });
        QCOMPARE(r.code, 0);
        r = drover({ QStringLiteral("assign"), QStringLiteral("pc-09"), QStringLiteral("--target"),
            QStringLiteral("iso:nope") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no ISO named nope in the catalog"), r.err.constData());
        r = drover({ QStringLiteral("assign"), QStringLiteral("pc-09"), QStringLiteral("--target"),
            QStringLiteral("iso:Rescue-Disk-2") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("boots ISO Rescue-Disk-2"), r.out.constData());
        r = drover({ QStringLiteral("--json"), QStringLiteral("iso"), QStringLiteral("ls") });
        const QJsonArray isos = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(isos.size(), 1);
        const QJsonObject iso = isos.first().toObject();
        QCOMPARE(iso[QStringLiteral("size")].toInteger(), isoBytes(true).size());
        QVERIFY(iso[QStringLiteral("digest")].toString().startsWith(QStringLiteral("sha256:")));
        QCOMPARE(iso[QStringLiteral("usedBy")].toArray().first().toString(), QStringLiteral("machine pc-09"));
        r = drover({ QStringLiteral("iso"), QStringLiteral("rm"), QStringLiteral("Rescue-Disk-2") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("ISO Rescue-Disk-2 is in use by machine pc-09"), r.err.constData());
        // Its bytes stay through a gc while the catalog has it.
        r = drover({ QStringLiteral("image"), QStringLiteral("gc"), QStringLiteral("--grace"), QStringLiteral("0") });
        QCOMPARE(r.code, 0);
        const QString blob
            = m_dir.filePath(QStringLiteral("store/blobs/sha256/")) + iso[QStringLiteral("digest")].toString().mid(7);
        QVERIFY2(QFile::exists(blob), qPrintable(blob));
        QCOMPARE(drover({ QStringLiteral("assign"), QStringLiteral("pc-09"), QStringLiteral("--target"),
                            QStringLiteral("local-disk") })
                     .code,
            0);
        r = drover({ QStringLiteral("iso"), QStringLiteral("rm"), QStringLiteral("Rescue-Disk-2") });
        QCOMPARE(r.code, 0);
        r = drover({ QStringLiteral("image"), QStringLiteral("gc"), QStringLiteral("--grace"), QStringLiteral("0") });
        QCOMPARE(r.code, 0);
        QVERIFY(!QFile::exists(blob));
    }

    // drover assign --target: a boot target instead of an image, kept in the history, and a
    // rollback returns to it like to an image.
    void assignTargets()
    {
        Run r = drover({ QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("pc-01"),
            QStringLiteral("--mac"), QStringLiteral("52-54-00-AA-00-01") });
        QCOMPARE(r.code, 0);
        r = drover({ QStringLiteral("assign"), QStringLiteral("pc-01"), QStringLiteral("--target"),
            QStringLiteral("floppy") });
        QCOMPARE(r.code, 1);
        QVERIFY2(
            r.err.contains("'floppy' is not a boot target; there are: local-disk, memtest, menu"), r.err.constData());
        r = drover({ QStringLiteral("assign"), QStringLiteral("pc-01"), QStringLiteral("--target"),
            QStringLiteral("memtest"), QStringLiteral("--why"), QStringLiteral("crashes at random") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("machine pc-01 boots Memory test (memtest86+) from its next boot"), r.out.constData());
        r = drover({ QStringLiteral("--json"), QStringLiteral("assign"), QStringLiteral("pc-01"),
            QStringLiteral("--target=local-disk") });
        QCOMPARE(r.code, 0);
        QCOMPARE(
            QJsonDocument::fromJson(r.out).object()[QStringLiteral("image")].toString(), QStringLiteral("@local-disk"));
        r = drover({ QStringLiteral("history"), QStringLiteral("pc-01") });
        QVERIFY2(r.out.contains("Local disk") && r.out.contains("Memory test (memtest86+)")
                && r.out.contains("crashes at random"),
            r.out.constData());
        r = drover({ QStringLiteral("rollback"), QStringLiteral("pc-01") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("boots Memory test (memtest86+)"), r.out.constData());
        r = drover({ QStringLiteral("rollback"), QStringLiteral("pc-01"), QStringLiteral("--to"),
            QStringLiteral("local-disk") });
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("boots Local disk"), r.out.constData());
        // The menu's timeout: 10 s until set, then what was set; nonsense refused.
        r = drover({ QStringLiteral("menu-timeout") });
        QCOMPARE(r.out, QByteArray("10 s\n"));
        r = drover({ QStringLiteral("menu-timeout"), QStringLiteral("0") });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("'0' is not a number of seconds from 1 to 3600"), r.err.constData());
        QCOMPARE(drover({ QStringLiteral("menu-timeout"), QStringLiteral("5") }).code, 0);
        QCOMPARE(drover({ QStringLiteral("menu-timeout") }).out, QByteArray("5 s\n"));
        r = drover(
            { QStringLiteral("assign"), QStringLiteral("pc-01"), QStringLiteral("--target"), QStringLiteral("menu") });
        QVERIFY2(r.out.contains("boots Boot menu"), r.out.constData());
        QCOMPARE(drover({ QStringLiteral("machine"), QStringLiteral("rm"), QStringLiteral("pc-01") }).code, 0);
    }

    // The server's log in the language asked for, with the plural forms of that language:
    // English (also in the C locale) says "2 threads", not "2 thread(s)".
    void headlessStopsOnSigterm_data()
    {
        QTest::addColumn<QString>("lang");
        QTest::addColumn<QString>("says");
        QTest::newRow("C locale") << "" << "(2 threads)";
        QTest::newRow("English") << "en" << "(2 threads)";
        QTest::newRow("German") << "de" << "HTTP-Bootserver lauscht auf Port 18931 (2 Threads)";
    }

    void headlessStopsOnSigterm()
    {
        QFETCH(QString, lang);
        QFETCH(QString, says);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : { "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE" })
            env.remove(QString::fromLatin1(name));
        p.setProcessEnvironment(env);
        QStringList args { QStringLiteral("--data"), m_dir.path() };
        if (!lang.isEmpty())
            args << QStringLiteral("--lang") << lang;
        // DHCP off and high ports: the test needs no interface and no privileged port.
        p.start(qEnvironmentVariable("DROVER_EXECUTABLE"),
            args
                + QStringList { QStringLiteral("--headless"), QStringLiteral("--dhcp"), QStringLiteral("off"),
                    QStringLiteral("--http-port"), QStringLiteral("18931"), QStringLiteral("--tftp-port"),
                    QStringLiteral("18932") });
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains(says.toUtf8()), 10000);
        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }

    // `drover config`: set a group's and a machine's, show each, and what the machine receives.
    void configRoundTrip()
    {
        auto file = [this](const QString &name, const QByteArray &json) {
            QFile f(m_dir.filePath(name));
            if (!f.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(name));
            f.write(json);
            return f.fileName();
        };
        QCOMPARE(
            drover({ QStringLiteral("machine"), QStringLiteral("add"), QStringLiteral("pc-01"), QStringLiteral("--mac"),
                       QStringLiteral("52:54:00:aa:00:01"), QStringLiteral("--label"), QStringLiteral("group=lab") })
                .code,
            0);
        const QString group = file(QStringLiteral("group.json"),
            R"({"hostname": "{{name}}.lab", "users": [{"name": "root", "keys": ["ssh-ed25519 AAAAC3Nza root@lab"]}]})");
        Run r = drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("lab"), group });
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("group lab saved (revision 1)"));
        r = drover(
            { QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("lab"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        const QJsonObject shown = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(shown[QStringLiteral("kind")].toString(), QStringLiteral("group"));
        QCOMPARE(shown[QStringLiteral("revision")].toInt(), 1);
        QCOMPARE(
            shown[QStringLiteral("config")][QStringLiteral("hostname")].toString(), QStringLiteral("{{name}}.lab"));

        // The machine has none of its own, but receives its group's.
        r = drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("pc-01") });
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("machine pc-01 has no configuration"));
        r = drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("pc-01"),
            QStringLiteral("--rendered") });
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.startsWith("drover-config 1\n"));
        QVERIFY(r.out.contains("\nhostname pc-01.lab\n"));
        QVERIFY(r.out.contains("\nkey root ssh-ed25519 AAAAC3Nza root@lab\n"));

        // A bad file is refused field by field, and nothing is saved.
        const QString bad = file(
            QStringLiteral("bad.json"), R"({"users": [{"name": "alice", "uid": 0.5}], "files": [{"path": "/run/x"}]})");
        r = drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("pc-01"), bad });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("users[0].uid: must be a whole number"), r.err.constData());
        QVERIFY(r.err.contains("files[0].path"));
        QCOMPARE(drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("pc-01") }).code, 1);

        const QString own = file(QStringLiteral("own.json"), R"({"hostname": "special"})");
        r = drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("pc-01"), own,
            QStringLiteral("--json") });
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[QStringLiteral("kind")].toString(), QStringLiteral("machine"));
        // Based on a stale revision: refused.
        r = drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("pc-01"), own,
            QStringLiteral("--revision"), QStringLiteral("0") });
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("since it was read"));
        r = drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("pc-01"),
            QStringLiteral("--rendered"), QStringLiteral("--json") });
        QCOMPARE(r.code, 0);
        const QJsonObject rendered = QJsonDocument::fromJson(r.out).object();
        QVERIFY(rendered[QStringLiteral("rendered")].toString().contains(QLatin1String("\nhostname special\n")));
        QCOMPARE(rendered[QStringLiteral("sources")].toArray().size(), 2);

        QCOMPARE(drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("ghost"), own }).code, 1);
        QCOMPARE(drover({ QStringLiteral("config"), QStringLiteral("set"), QStringLiteral("ghost"), own,
                            QStringLiteral("--group") })
                     .code,
            0);
        QCOMPARE(drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("lab"),
                            QStringLiteral("--rendered") })
                     .code,
            2);
        QCOMPARE(drover({ QStringLiteral("config"), QStringLiteral("rm"), QStringLiteral("lab") }).code, 0);
        r = drover({ QStringLiteral("config"), QStringLiteral("show"), QStringLiteral("pc-01"),
            QStringLiteral("--rendered") });
        QVERIFY(!r.out.contains("key root"));
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
