// The drover executable's verbs, run as a user or a script would: exit codes, --json,
// messages that say what was wrong.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

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

    void headlessStopsOnSigterm()
    {
        QProcess p;
        // DHCP off and high ports: the test needs no interface and no privileged port.
        p.start(qEnvironmentVariable("DROVER_EXECUTABLE"),
            { QStringLiteral("--data"), m_dir.path(), QStringLiteral("--headless"), QStringLiteral("--dhcp"),
                QStringLiteral("off"), QStringLiteral("--http-port"), QStringLiteral("18931"),
                QStringLiteral("--tftp-port"), QStringLiteral("18932") });
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("running headless"), 10000);
        p.terminate(); // SIGTERM
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
