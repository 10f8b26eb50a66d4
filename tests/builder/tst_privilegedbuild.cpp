// The desktop user's build through the privileged helper, its failures: what pkexec answers
// when authorisation is dismissed or refused, a helper that crashes or talks nonsense, no
// pkexec at all, and the real helper refusing what it cannot do. pkexec is a stand-in here
// (fault injection); the real pkexec and polkitd authorise a real build in package_install,
// and a real build through the real helper runs in tst_buildreal.
#include "builder/builder.h"
#include "builder/buildhelper.h"
#include "builder/privilegedbuild.h"
#include "builder/recipe.h"
#include "testlab.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace drover;

namespace {

Recipe tinyRecipe(const QString &baseDir)
{
    Recipe r;
    r.name = QStringLiteral("tiny");
    r.version = QStringLiteral("1");
    r.packages = { QStringLiteral("linux-image-amd64") };
    r.kernelArgs = QStringLiteral("console=ttyS0");
    r.baseDir = baseDir;
    r.fileName = QStringLiteral("tiny.json");
    return r;
}

} // namespace

class TstPrivilegedBuild : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    BuildReport build(const Recipe &recipe, QStringList *logLines = nullptr)
    {
        test::TestLab lab = test::sqliteLab();
        Builder builder(lab.lab.get());
        QSignalSpy finished(&builder, &Builder::finished);
        if (logLines)
            connect(&builder, &Builder::logLine, this,
                [logLines](const QString &, const QString &line) { logLines->append(line); });
        BuildOptions options;
        options.privileges = BuildOptions::Privileges::Helper;
        if (!builder.start(recipe, options))
            qFatal("the build did not start");
        if (!builder.isRunning())
            qFatal("the build is not running after start()");
        if (!finished.wait(60000))
            qFatal("the build through the helper did not finish");
        if (builder.isRunning())
            qFatal("the build still runs after finished()");
        return finished.first().first().value<BuildReport>();
    }

private Q_SLOTS:
    void cleanup()
    {
        qunsetenv("DROVER_PKEXEC");
        qunsetenv("DROVER_BUILD_HELPER");
    }

    // The request carries the recipe whole: parsed again on the other side it is the same
    // recipe, to the digest.
    void requestRoundTrip()
    {
        Recipe r = tinyRecipe(m_dir.path());
        r.users = { RecipeUser { QStringLiteral("lab"), 1001, { QStringLiteral("sudo") }, QStringLiteral("/bin/sh"),
            QStringLiteral("!"), { QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITestKey lab@test") } } };
        r.kernelModules = { QStringLiteral("virtio") };
        r.extraSuites = { QStringLiteral("trixie-updates") };
        BuildOptions options;
        options.tag = QStringLiteral("tiny:9");
        options.reuseBase = false;
        const QByteArray line = helperprotocol::request(r, options);
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        const QJsonObject request = QJsonDocument::fromJson(line).object();
        QCOMPARE(request.value(QStringLiteral("tag")).toString(), QStringLiteral("tiny:9"));
        QCOMPARE(request.value(QStringLiteral("rebuildBase")).toBool(), true);
        const RecipeParse parsed = parseRecipe(
            QJsonDocument(request.value(QStringLiteral("recipe")).toObject()).toJson(),
            request.value(QStringLiteral("fileName")).toString(), request.value(QStringLiteral("baseDir")).toString());
        QVERIFY2(parsed.recipe, qPrintable(parsed.errorText()));
        QCOMPARE(parsed.recipe->digest(), r.digest());
        QCOMPARE(parsed.recipe->baseDir, m_dir.path());
    }

    void stageRoundTrip()
    {
        StageReport s { QStringLiteral("base"), true, 1.5, 4096, Digest::ofBytes("x"), QStringLiteral("cached") };
        const StageReport back = StageReport::fromJson(s.toJson());
        QCOMPARE(back.name, s.name);
        QCOMPARE(back.cached, s.cached);
        QCOMPARE(back.seconds, s.seconds);
        QCOMPARE(back.bytes, s.bytes);
        QCOMPARE(back.digest, s.digest);
        QCOMPARE(back.detail, s.detail);
    }

    void failures_data()
    {
        QTest::addColumn<QByteArray>("pkexec");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("logged");
        // pkexec(1): 126 when the authentication dialog is dismissed.
        QTest::newRow("dismissed") << QByteArray("exit 126") << QStringLiteral("dismissed") << QString();
        // 127 when not authorised; pkexec says so on stderr, which the message carries.
        QTest::newRow("refused") << QByteArray(
            "echo 'Error executing command as another user: Not authorized' >&2; exit 127")
                                 << QStringLiteral("Not authorized") << QString();
        QTest::newRow("crashed") << QByteArray("kill -SEGV $$") << QStringLiteral("crashed") << QString();
        QTest::newRow("silent exit") << QByteArray("exit 0") << QStringLiteral("exit code 0") << QString();
        // Lines that are not the protocol are shown as log lines, not obeyed; the helper's
        // own error is the build's.
        QTest::newRow("nonsense, then an error")
            << QByteArray("echo 'mmdebstrap: stray output'; echo '{\"e\":\"bogus\"}'; echo '{\"e\":\"done\",\"report\":"
                          "{\"ok\":false,\"error\":\"the mirror is unreachable\"}}'")
            << QStringLiteral("the mirror is unreachable") << QStringLiteral("mmdebstrap: stray output");
        // "ok" with no bundle to import is not a success.
        QTest::newRow("ok without a bundle")
            << QByteArray("echo '{\"e\":\"done\",\"report\":{\"ok\":true,\"tag\":\"tiny:1\"}}'")
            << QStringLiteral("handed over no image") << QString();
        // A bundle that is not one: the import refuses it, the build fails.
        QTest::newRow("bundle missing") << QByteArray(
            "echo '{\"e\":\"done\",\"report\":{\"ok\":true,\"tag\":\"tiny:1\"},\"bundle\":\"/nonexistent/"
            "b.tar\"}'; read line") << QStringLiteral("importing the helper's image")
                                        << QString();
    }

    void failures()
    {
        QFETCH(QByteArray, pkexec);
        QFETCH(QString, expected);
        QFETCH(QString, logged);
        test::useStandInPkexec(m_dir.path(), pkexec);
        QStringList lines;
        const BuildReport report = build(tinyRecipe(m_dir.path()), &lines);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.contains(expected), qPrintable(report.error));
        QCOMPARE(report.tag, QStringLiteral("tiny:1"));
        if (!logged.isEmpty())
            QVERIFY2(lines.contains(logged), qPrintable(lines.join(QLatin1Char('\n'))));
    }

    void noPkexec()
    {
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", QFile::encodeName(m_dir.filePath(QStringLiteral("empty"))));
        const BuildReport report = build(tinyRecipe(m_dir.path()));
        qputenv("PATH", path);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.contains(QStringLiteral("pkexec")), qPrintable(report.error));
    }

    // Cancelling asks the helper (root's, not killable from here) to stop: "cancel" on its stdin.
    void cancelAsksTheHelper()
    {
        const QString heard = m_dir.filePath(QStringLiteral("heard"));
        test::useStandInPkexec(m_dir.path(),
            "read request; echo '{\"e\":\"started\",\"stage\":\"bootstrap\"}'; read command; echo \"$command\" > "
                + QFile::encodeName(heard)
                + "; echo '{\"e\":\"done\",\"report\":{\"ok\":false,\"cancelled\":true,\"error\":\"cancelled\"}}'");
        test::TestLab lab = test::sqliteLab();
        Builder builder(lab.lab.get());
        QSignalSpy finished(&builder, &Builder::finished);
        connect(&builder, &Builder::stageStarted, &builder, &Builder::cancel);
        BuildOptions options;
        options.privileges = BuildOptions::Privileges::Helper;
        QVERIFY(builder.start(tinyRecipe(m_dir.path()), options));
        QVERIFY(finished.wait(20000));
        const auto report = finished.first().first().value<BuildReport>();
        QVERIFY(!report.ok);
        QVERIFY(report.cancelled);
        QFile f(heard);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().trimmed(), QByteArray("cancel"));
        QVERIFY(lab.lab->catalog()->images().isEmpty());
    }

    // The real helper, with pkexec's one contribution (PKEXEC_UID) from the stand-in: what it
    // refuses before any work starts. Not root, it says so first.
    void realHelperRefuses_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("expected");
        QTest::newRow("kernel from another image")
            << QStringLiteral("kernelImage") << QStringLiteral("from.kernelImage");
        QTest::newRow("relative recipe directory") << QStringLiteral("baseDir") << QStringLiteral("absolute path");
        QTest::newRow("missing script") << QStringLiteral("script") << QStringLiteral("scripts[0]");
    }

    void realHelperRefuses()
    {
        QFETCH(QString, change);
        QFETCH(QString, expected);
        test::useStandInPkexec(m_dir.path(),
            "exec env PKEXEC_UID=4242 DROVER_HELPER_DIR=" + QFile::encodeName(m_dir.filePath(QStringLiteral("h")))
                + " \"$@\"");
        Recipe r = tinyRecipe(m_dir.path());
        if (change == QLatin1String("kernelImage")) {
            QFile root(m_dir.filePath(QStringLiteral("root.tar")));
            QVERIFY(root.open(QIODevice::WriteOnly));
            root.close();
            r.fromRootfs = QStringLiteral("root.tar");
            r.kernelImage = QStringLiteral("other:1");
            r.packages.clear();
        } else if (change == QLatin1String("baseDir")) {
            r.baseDir = QStringLiteral("relative/dir");
        } else {
            r.scripts = { QStringLiteral("scripts/not-there.sh") };
        }
        const BuildReport report = build(r);
        QVERIFY(!report.ok);
        const QString why = ::geteuid() == 0 ? expected : QStringLiteral("runs as root");
        QVERIFY2(report.error.contains(why), qPrintable(report.error));
    }

    // The real helper given a request that is not one: said, nothing built.
    void realHelperBadRequest_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("lang");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not JSON") << QByteArray("{\"recipe\": \n") << QStringLiteral("C.UTF-8")
                                  << QStringLiteral("not JSON");
        QTest::newRow("no recipe") << QByteArray("{\"tag\": \"x:1\"}\n") << QStringLiteral("C.UTF-8")
                                   << QStringLiteral("no recipe object");
        QTest::newRow("nothing") << QByteArray() << QStringLiteral("C.UTF-8") << QStringLiteral("no build request");
        // In the caller's language, which pkexec passes on: the window shows it as it is.
        QTest::newRow("nothing, in German")
            << QByteArray() << QStringLiteral("de_DE.UTF-8") << QStringLiteral("kein Bauauftrag");
    }

    void realHelperBadRequest()
    {
        if (::geteuid() != 0)
            QSKIP("the helper refuses to start unless root (tested in realHelperRefuses)");
        QFETCH(QByteArray, request);
        QFETCH(QString, lang);
        QFETCH(QString, expected);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PKEXEC_UID"), QStringLiteral("4242"));
        env.insert(QStringLiteral("DROVER_HELPER_DIR"), m_dir.filePath(QStringLiteral("h")));
        env.remove(QStringLiteral("LC_ALL"));
        env.remove(QStringLiteral("LC_MESSAGES"));
        env.remove(QStringLiteral("LANGUAGE"));
        env.insert(QStringLiteral("LANG"), lang);
        p.setProcessEnvironment(env);
        p.start(PrivilegedBuild::helperPath(), {});
        p.write(request);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        const QJsonObject done = QJsonDocument::fromJson(p.readAllStandardOutput().trimmed()).object();
        QCOMPARE(done.value(QStringLiteral("e")).toString(), QStringLiteral("done"));
        const QJsonObject report = done.value(QStringLiteral("report")).toObject();
        QCOMPARE(report.value(QStringLiteral("ok")).toBool(true), false);
        QVERIFY2(report.value(QStringLiteral("error")).toString().contains(expected),
            qPrintable(report.value(QStringLiteral("error")).toString()));
    }

    // The helper run by hand, not through pkexec: it says what it is for.
    void helperNeedsPkexec()
    {
        QProcess p;
        p.start(PrivilegedBuild::helperPath(), {});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("pkexec"));
    }
};

QTEST_GUILESS_MAIN(TstPrivilegedBuild)
#include "tst_privilegedbuild.moc"
