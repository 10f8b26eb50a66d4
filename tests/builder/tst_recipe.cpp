// Recipes: validation before any work, with messages naming file, line, column and field;
// defaults and the canonical JSON the recipe digest is taken over; the host's apt sources as
// the default mirror; the helpers that turn tool output into messages; where the build
// finds Drover's resources, in the source tree or as the package installs them.
#include "builder/aptsources.h"
#include "builder/builder.h"
#include "builder/buildjob.h"
#include "builder/jsonlocator.h"
#include "builder/moduleclasses.h"
#include "builder/recipe.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;

class TstRecipe : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    void write(const QString &relative, const QByteArray &content)
    {
        const QString path = m_dir.filePath(relative);
        QDir().mkpath(QFileInfo(path).path());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

private Q_SLOTS:
    void resourceDir_data()
    {
        QTest::addColumn<QString>("environment");
        QTest::addColumn<bool>("installed"); // /usr/share/drover/initramfs/init beside /usr/bin
        QTest::addColumn<QString>("expected"); // "env", "installed" or "source"
        QTest::newRow("source tree") << QString() << false << "source";
        QTest::newRow("installed by the package") << QString() << true << "installed";
        QTest::newRow("the environment wins") << QStringLiteral("/opt/res") << true << "env";
    }

    void resourceDir()
    {
        QFETCH(QString, environment);
        QFETCH(bool, installed);
        QFETCH(QString, expected);
        QTemporaryDir prefix;
        QVERIFY(QDir(prefix.path()).mkpath(QStringLiteral("bin")));
        if (installed) {
            QVERIFY(QDir(prefix.path()).mkpath(QStringLiteral("share/drover/initramfs")));
            QFile init(prefix.filePath(QStringLiteral("share/drover/initramfs/init")));
            QVERIFY(init.open(QIODevice::WriteOnly));
        }
        const QString got = BuildOptions::resourceDirFor(
            environment, prefix.filePath(QStringLiteral("bin")), QStringLiteral("/src/resources"));
        const QString want = expected == QLatin1String("env") ? environment
            : expected == QLatin1String("installed")          ? prefix.filePath(QStringLiteral("share/drover"))
                                                              : QStringLiteral("/src/resources");
        QCOMPARE(got, want);
    }

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        write(QStringLiteral("files/etc/motd"), "hello\n");
        write(QStringLiteral("scripts/10-setup.sh"), "#!/bin/sh\ntrue\n");
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");

        QTest::newRow("syntax") << QByteArray("{\n  \"name\": \"a\",\n  \"packages\": [\"x\" \"y\"]\n}") << QString()
                                << 3 << 21 << QStringLiteral("not valid JSON");
        QTest::newRow("not an object") << QByteArray("[1, 2]") << QString() << 1 << 1
                                       << QStringLiteral("a recipe is a JSON object");
        QTest::newRow("missing name") << QByteArray("{\n  \"version\": \"1\"\n}") << QString() << 1 << 1
                                      << QStringLiteral("missing the field \"name\"");
        QTest::newRow("bad name") << QByteArray("{\n  \"name\": \"-bad name\"\n}") << QStringLiteral("name") << 2 << 11
                                  << QStringLiteral("is not an image name");
        QTest::newRow("unknown field") << QByteArray("{\n  \"name\": \"a\",\n    \"pakages\": []\n}")
                                       << QStringLiteral("pakages") << 3 << 5 << QStringLiteral("unknown field");
        QTest::newRow("unknown nested field")
            << QByteArray("{\"name\": \"a\",\n \"distro\": {\"suite\": \"trixie\", \"sweet\": 1}}")
            << QStringLiteral("distro.sweet") << 2 << 32 << QStringLiteral("unknown field");
        QTest::newRow("wrong type") << QByteArray("{\"name\": \"a\",\n\"packages\": \"vim\"}")
                                    << QStringLiteral("packages") << 2 << 13
                                    << QStringLiteral("expected an array of strings, found the string");
        QTest::newRow("bad package") << QByteArray("{\"name\": \"a\",\n\"packages\": [\"ok\",\n  \"Not Valid\"]}")
                                     << QStringLiteral("packages[1]") << 3 << 3
                                     << QStringLiteral("is not a Debian package name");
        QTest::newRow("duplicate package")
            << QByteArray("{\"name\": \"a\", \"packages\": [\"vim\", \"vim\"]}") << QStringLiteral("packages[1]") << 1
            << 35 << QStringLiteral("listed twice");
        QTest::newRow("duplicate key") << QByteArray("{\"name\": \"a\",\n \"name\": \"b\"}") << QStringLiteral("name")
                                       << 2 << 2 << QStringLiteral("given twice");
        QTest::newRow("uid type") << QByteArray(
            "{\"name\": \"a\", \"users\": [\n {\"name\": \"lab\", \"uid\": \"x\"}]}")
                                  << QStringLiteral("users[0].uid") << 2 << 25
                                  << QStringLiteral("expected an integer from 1 to 65533");
        QTest::newRow("user name") << QByteArray("{\"name\": \"a\", \"users\": [{\"name\": \"Bad User\"}]}")
                                   << QStringLiteral("users[0].name") << 1 << 34
                                   << QStringLiteral("is not a user name");
        QTest::newRow("clear password") << QByteArray(
            "{\"name\": \"a\", \"users\": [{\"name\": \"lab\", \"password\": \"secret\"}]}")
                                        << QStringLiteral("users[0].password") << 1 << 53
                                        << QStringLiteral("never a clear-text password");
        QTest::newRow("ssh key") << QByteArray(
            "{\"name\": \"a\", \"users\": [{\"name\": \"lab\", \"sshKeys\": [\"hello\"]}]}")
                                 << QStringLiteral("users[0].sshKeys[0]") << 1 << 53
                                 << QStringLiteral("not an OpenSSH public key");
        QTest::newRow("format") << QByteArray("{\"name\": \"a\", \"format\": \"iso\"}") << QStringLiteral("format") << 1
                                << 25 << QStringLiteral("expected \"layers\" or \"initramfs\"");
        QTest::newRow("layer type") << QByteArray("{\"name\": \"a\", \"layerType\": \"ext4\"}")
                                    << QStringLiteral("layerType") << 1 << 28 << QStringLiteral("squashfs");
        QTest::newRow("compression level")
            << QByteArray("{\"name\": \"a\", \"compression\": \"zstd:23\"}") << QStringLiteral("compression") << 1 << 30
            << QStringLiteral("level 1 to 22");
        QTest::newRow("compression block")
            << QByteArray("{\"name\": \"a\", \"compression\": \"zstd:19:64K\"}") << QStringLiteral("compression") << 1
            << 30 << QStringLiteral("block 128K, 256K, 512K or 1M");
        QTest::newRow("compression algorithm")
            << QByteArray("{\"name\": \"a\", \"compression\": \"gzip\"}") << QStringLiteral("compression") << 1 << 30
            << QStringLiteral("found \"gzip\"");
        QTest::newRow("compression too many parts")
            << QByteArray("{\"name\": \"a\", \"compression\": \"xz:1M:9\"}") << QStringLiteral("compression") << 1 << 30
            << QStringLiteral("xz-x86:BLOCK");
        QTest::newRow("compression of erofs")
            << QByteArray("{\"name\": \"a\", \"layerType\": \"erofs\", \"compression\": \"xz\"}")
            << QStringLiteral("compression") << 1 << 52 << QStringLiteral("\"lz4hc\" only");
        QTest::newRow("compression type")
            << QByteArray("{\"name\": \"a\", \"compression\": 19}") << QStringLiteral("compression") << 1 << 30
            << QStringLiteral("expected a string");
        QTest::newRow("module class") << QByteArray(
            "{\"name\": \"a\", \"prune\": {\"kernelModules\": [\"net\", \"toys\"]}}")
                                      << QStringLiteral("prune.kernelModules[1]") << 1 << 50
                                      << QStringLiteral("unknown module class \"toys\"");
        QTest::newRow("prune type") << QByteArray("{\"name\": \"a\", \"prune\": {\"docs\": \"yes\"}}")
                                    << QStringLiteral("prune.docs") << 1 << 33 << QStringLiteral("true or false");
        QTest::newRow("missing files dir")
            << QByteArray("{\"name\": \"a\", \"files\": {\"dir\": \"nowhere\"}}") << QStringLiteral("files.dir") << 1
            << 32 << QStringLiteral("no directory \"nowhere\" beside the recipe");
        QTest::newRow("escaping files dir")
            << QByteArray("{\"name\": \"a\", \"files\": {\"dir\": \"../etc\"}}") << QStringLiteral("files.dir") << 1
            << 32 << QStringLiteral("a directory beside the recipe");
        QTest::newRow("mode") << QByteArray(
            "{\"name\": \"a\", \"files\": {\"dir\": \"files\",\n \"modes\": {\"etc/motd\": \"rw\"}}}")
                              << QStringLiteral("files.modes.etc/motd") << 2 << 24 << QStringLiteral("octal mode");
        QTest::newRow("mode of missing file")
            << QByteArray("{\"name\": \"a\", \"files\": {\"dir\": \"files\", \"modes\": {\"etc/nope\": \"0644\"}}}")
            << QStringLiteral("files.modes.etc/nope") << 1 << 51
            << QStringLiteral("no \"etc/nope\" in the files directory");
        QTest::newRow("missing script") << QByteArray(
            "{\"name\": \"a\", \"scripts\": [\"scripts/10-setup.sh\", \"x.sh\"]}")
                                        << QStringLiteral("scripts[1]") << 1 << 50
                                        << QStringLiteral("no file \"x.sh\" beside the recipe");
        QTest::newRow("absolute script") << QByteArray("{\"name\": \"a\", \"scripts\": [\"/etc/x.sh\"]}")
                                         << QStringLiteral("scripts[0]") << 1 << 27
                                         << QStringLiteral("beside the recipe");
        QTest::newRow("unit") << QByteArray("{\"name\": \"a\", \"services\": {\"enable\": [\"ssh;rm\"]}}")
                              << QStringLiteral("services.enable[0]") << 1 << 39
                              << QStringLiteral("not a systemd unit");
        QTest::newRow("enable and disable")
            << QByteArray("{\"name\": \"a\", \"services\": {\"enable\": [\"ssh\"], \"disable\": [\"ssh\"]}}")
            << QStringLiteral("services.disable") << 1 << 58 << QStringLiteral("both enabled and disabled");
        QTest::newRow("mirror") << QByteArray("{\"name\": \"a\", \"distro\": {\"mirror\": \"ftp:x\"}}")
                                << QStringLiteral("distro.mirror") << 1 << 36
                                << QStringLiteral("http://, https:// or file://");
        QTest::newRow("base") << QByteArray("{\"name\": \"a\", \"distro\": {\"base\": \"alpine\"}}")
                              << QStringLiteral("distro.base") << 1 << 34 << QStringLiteral("\"busybox\"");
        QTest::newRow("rootfs missing") << QByteArray("{\"name\": \"a\", \"from\": {\"rootfs\": \"root.tar\"}}")
                                        << QStringLiteral("from.rootfs") << 1 << 34 << QStringLiteral("no file");
        QTest::newRow("rootfs escaping") << QByteArray("{\"name\": \"a\", \"from\": {\"rootfs\": \"../r.tar\"}}")
                                         << QStringLiteral("from.rootfs") << 1 << 34
                                         << QStringLiteral("beside the recipe");
        QTest::newRow("rootfs and packages")
            << QByteArray("{\"name\": \"a\", \"from\": {\"rootfs\": \"/etc/hostname\"}, \"packages\": [\"vim\"]}")
            << QStringLiteral("packages") << 1 << 64 << QStringLiteral("gets no packages");
        QTest::newRow("kernel package") << QByteArray(
            "{\"name\": \"a\", \"from\": {\"rootfs\": \"/etc/hostname\", \"kernelPackage\": \"A B\"}}")
                                        << QStringLiteral("from.kernelPackage") << 1 << 68
                                        << QStringLiteral("not a package name");
        QTest::newRow("kernel package version")
            << QByteArray("{\"name\": \"a\", \"from\": {\"rootfs\": \"/etc/hostname\", \"kernelPackage\": "
                          "\"linux-image-amd64=bad version\"}}")
            << QStringLiteral("from.kernelPackage") << 1 << 68 << QStringLiteral("NAME=VERSION");
        QTest::newRow("kernel image tag")
            << QByteArray(
                   "{\"name\": \"a\", \"from\": {\"rootfs\": \"/etc/hostname\", \"kernelImage\": \"no-version\"}}")
            << QStringLiteral("from.kernelImage") << 1 << 66 << QStringLiteral("not an image NAME:VERSION");
        QTest::newRow("two kernels") << QByteArray(
            "{\"name\": \"a\", \"from\": {\"rootfs\": \"/etc/hostname\", \"kernelPackage\": "
            "\"linux-image-amd64\", \"kernelImage\": \"a:1\"}}")
                                     << QStringLiteral("from.kernelImage") << 1 << 104 << QStringLiteral("not both");
        QTest::newRow("extra suite") << QByteArray("{\"name\": \"a\", \"distro\": {\"extraSuites\": [\"Bad Suite\"]}}")
                                     << QStringLiteral("distro.extraSuites[0]") << 1 << 42
                                     << QStringLiteral("not a Debian suite name");
        QTest::newRow("source line") << QByteArray(
            "{\"name\": \"a\", \"distro\": {\"sources\": [\"deb ftp://x/ y main\"]}}")
                                     << QStringLiteral("distro.sources[0]") << 1 << 38
                                     << QStringLiteral("deb URL SUITE COMPONENT");
        QTest::newRow("services on busybox") << QByteArray(
            "{\"name\": \"a\", \"distro\": {\"base\": \"busybox\"}, \"services\": {\"enable\": [\"ssh\"]}}")
                                             << QStringLiteral("services") << 1 << 58 << QStringLiteral("/etc/inittab");
        QTest::newRow("architecture") << QByteArray("{\"name\": \"a\", \"architecture\": \"mips\"}")
                                      << QStringLiteral("architecture") << 1 << 31 << QStringLiteral("not supported");
        QTest::newRow("kernel args") << QByteArray("{\"name\": \"a\", \"kernelArgs\": \"a\\nb\"}")
                                     << QStringLiteral("kernelArgs") << 1 << 29 << QStringLiteral("one line");
        QTest::newRow("epoch") << QByteArray("{\"name\": \"a\", \"sourceDateEpoch\": 1.5}")
                               << QStringLiteral("sourceDateEpoch") << 1 << 34 << QStringLiteral("integer");
        QTest::newRow("exclude and include")
            << QByteArray("{\"name\": \"a\", \"packages\": [\"vim\"], \"exclude\": [\"vim\"]}")
            << QStringLiteral("exclude[0]") << 1 << 48 << QStringLiteral("both in packages and in exclude");
        QTest::newRow("non-ascii column") << QByteArray("{\"description\": \"ünïcödé\", \"name\": 5}")
                                          << QStringLiteral("name") << 1 << 36 << QStringLiteral("expected a string");
    }
    void invalid()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, field);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        const RecipeParse parsed = parseRecipe(json, QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(!parsed.recipe, "an invalid recipe was accepted");
        QVERIFY(!parsed.issues.isEmpty());
        const RecipeIssue &issue = parsed.issues.first();
        QCOMPARE(issue.field, field);
        QVERIFY2(issue.message.contains(message), qPrintable(issue.toString()));
        QCOMPARE(issue.line, line);
        QCOMPARE(issue.column, column);
        QVERIFY(issue.toString().startsWith(QStringLiteral("r.json:%1:%2: ").arg(line).arg(column)));
    }

    void everyIssueReported()
    {
        const RecipeParse parsed = parseRecipe(
            "{\"name\": \"a b\", \"format\": 3, \"bogus\": true}", QStringLiteral("r.json"), m_dir.path());
        QCOMPARE(parsed.issues.size(), 3);
        QCOMPARE(parsed.errorText().count(QLatin1Char('\n')), 2);
    }

    void validWithDefaults()
    {
        const RecipeParse parsed = parseRecipe("{\"name\": \"srv\"}", QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(parsed.recipe, qPrintable(parsed.errorText()));
        const Recipe &r = *parsed.recipe;
        QCOMPARE(r.suite, QStringLiteral("trixie"));
        QCOMPARE(r.components, QStringList { QStringLiteral("main") });
        QVERIFY(r.mirror.isEmpty()); // the host's, resolved when building
        QCOMPARE(r.format, QStringLiteral("layers"));
        QCOMPARE(r.layerType, QStringLiteral("squashfs"));
        QVERIFY(r.versionDefaulted);
        QVERIFY(QRegularExpression(QStringLiteral("^\\d{8}-\\d{6}$")).match(r.version).hasMatch());
        QVERIFY(r.pruneDocs && r.pruneMan);
        QVERIFY(r.kernelModules.contains(QStringLiteral("virtio")));
    }

    // `compression`: the canonical form the builder and the base's cache key take; the default
    // (squashfs zstd -3, 128 KiB blocks), however written, stays out of the recipe's JSON so
    // that the digests of the recipes that do not name it stay as they were.
    void compression_data()
    {
        QTest::addColumn<QString>("layerType");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        const QString sq = QStringLiteral("squashfs");
        QTest::newRow("zstd") << sq << QStringLiteral("zstd") << QString();
        QTest::newRow("zstd:3") << sq << QStringLiteral("zstd:3") << QString();
        QTest::newRow("zstd:3:128K") << sq << QStringLiteral("zstd:3:128K") << QString();
        QTest::newRow("zstd:19") << sq << QStringLiteral("zstd:19") << QStringLiteral("zstd:19:128K");
        QTest::newRow("zstd:19:1M") << sq << QStringLiteral("zstd:19:1M") << QStringLiteral("zstd:19:1M");
        QTest::newRow("zstd:1:256K") << sq << QStringLiteral("zstd:1:256K") << QStringLiteral("zstd:1:256K");
        QTest::newRow("zstd:22:512K") << sq << QStringLiteral("zstd:22:512K") << QStringLiteral("zstd:22:512K");
        QTest::newRow("xz") << sq << QStringLiteral("xz") << QStringLiteral("xz:1M");
        QTest::newRow("xz:256K") << sq << QStringLiteral("xz:256K") << QStringLiteral("xz:256K");
        QTest::newRow("xz-x86") << sq << QStringLiteral("xz-x86") << QStringLiteral("xz-x86:1M");
        QTest::newRow("erofs lz4hc") << QStringLiteral("erofs") << QStringLiteral("lz4hc") << QString();
    }
    void compression()
    {
        QFETCH(QString, layerType);
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        const QByteArray json
            = QStringLiteral("{\"name\": \"a\", \"version\": \"1\", \"layerType\": \"%1\", \"compression\": \"%2\"}")
                  .arg(layerType, text)
                  .toUtf8();
        const RecipeParse parsed = parseRecipe(json, QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(parsed.recipe, qPrintable(parsed.errorText()));
        QCOMPARE(parsed.recipe->compression, canonical);
        const QJsonObject effective = parsed.recipe->toJson();
        QCOMPARE(effective.contains(QStringLiteral("compression")), !canonical.isEmpty());
        if (!canonical.isEmpty()) {
            QCOMPARE(effective.value(QStringLiteral("compression")).toString(), canonical);
            // The effective recipe reads back as itself.
            const RecipeParse again
                = parseRecipe(parsed.recipe->canonicalJson(), QStringLiteral("r.json"), m_dir.path(), false);
            QVERIFY2(again.recipe, qPrintable(again.errorText()));
            QCOMPARE(again.recipe->compression, canonical);
        } else {
            const RecipeParse plain = parseRecipe(
                QStringLiteral("{\"name\": \"a\", \"version\": \"1\", \"layerType\": \"%1\"}").arg(layerType).toUtf8(),
                QStringLiteral("r.json"), m_dir.path());
            QVERIFY(plain.recipe);
            QCOMPARE(parsed.recipe->digest(), plain.recipe->digest());
        }
    }

    void full()
    {
        const QByteArray json
            = "{\n"
              "  \"name\": \"debian-server\", \"version\": \"2025.1\",\n"
              "  \"distro\": {\"suite\": \"trixie\", \"components\": [\"main\", \"contrib\"], \"mirror\": "
              "\"file:///srv/mirror/debian/\"},\n"
              "  \"packages\": [\"linux-image-amd64\", \"openssh-server\", \"vim=2:9.1.1230-2\"],\n"
              "  \"exclude\": [\"initramfs-tools\"],\n"
              "  \"files\": {\"dir\": \"files\", \"owner\": \"root:root\", \"modes\": {\"etc/motd\": \"0600\"}},\n"
              "  \"users\": [{\"name\": \"lab\", \"uid\": 1000, \"groups\": [\"sudo\"], \"shell\": \"/bin/bash\",\n"
              "             \"password\": \"$y$j9T$abc$def\", \"sshKeys\": [\"ssh-ed25519 "
              "AAAAC3NzaC1lZDI1NTE5AAAAIExample lab@pc\"]},\n"
              "            {\"name\": \"root\", \"sshKeys\": [\"ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB root@pc\"]}],\n"
              "  \"scripts\": [\"scripts/10-setup.sh\"],\n"
              "  \"services\": {\"enable\": [\"ssh\"], \"disable\": [\"fstrim.timer\"]},\n"
              "  \"kernelArgs\": \"console=ttyS0   quiet\",\n"
              "  \"prune\": {\"docs\": false, \"man\": true, \"locales\": [\"de\", \"pt_BR\"], \"kernelModules\": "
              "[\"net\", \"storage\"]},\n"
              "  \"format\": \"initramfs\", \"layerType\": \"erofs\", \"sourceDateEpoch\": 1700000000\n"
              "}\n";
        const RecipeParse parsed = parseRecipe(json, QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(parsed.recipe, qPrintable(parsed.errorText()));
        const Recipe &r = *parsed.recipe;
        QCOMPARE(r.tag(), QStringLiteral("debian-server:2025.1"));
        QCOMPARE(r.mirror, QStringLiteral("file:///srv/mirror/debian"));
        QCOMPARE(r.fileModes.value(QStringLiteral("etc/motd")), 0600u);
        QCOMPARE(r.users.size(), 2);
        QCOMPARE(r.users[0].uid.value_or(-1), 1000);
        QVERIFY(!r.users[1].uid);
        QCOMPARE(r.kernelArgs, QStringLiteral("console=ttyS0 quiet"));
        QCOMPARE(r.keepLocales, (QStringList { QStringLiteral("de"), QStringLiteral("pt_BR") }));
        QCOMPARE(r.sourceDateEpoch.value_or(0), 1700000000);

        // The canonical form round-trips to the same recipe and the same digest.
        const QByteArray canonical = r.canonicalJson();
        QVERIFY(!canonical.contains('\n'));
        const RecipeParse again = parseRecipe(canonical, QStringLiteral("c.json"), m_dir.path());
        QVERIFY2(again.recipe, qPrintable(again.errorText()));
        QCOMPARE(again.recipe->canonicalJson(), canonical);
        QCOMPARE(again.recipe->digest(), r.digest());
        Recipe changed = r;
        changed.packages.append(QStringLiteral("curl"));
        QVERIFY(changed.digest() != r.digest());
    }

    void loadFromFile()
    {
        write(QStringLiteral("bad.json"), "{\n  \"name\": \"x\",\n  \"users\": 7\n}\n");
        auto bad = loadRecipe(m_dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(!bad);
        QVERIFY2(bad.error().startsWith(QStringLiteral("bad.json:3:12: users: expected an array of users")),
            qPrintable(bad.error()));
        QVERIFY(!loadRecipe(m_dir.filePath(QStringLiteral("missing.json"))));
    }

    void exampleRecipeIsValid()
    {
        const QString path
            = qEnvironmentVariable("DROVER_SOURCE_DIR") + QStringLiteral("/examples/recipes/debian-server.json");
        auto recipe = loadRecipe(path);
        QVERIFY2(recipe, qPrintable(recipe.error()));
        QVERIFY(recipe->packages.contains(QStringLiteral("linux-image-amd64")));
        QVERIFY(recipe->mirror.isEmpty()); // never a mirror host in what Drover ships
    }

    // The bench's inventory image: a busybox base. "base" is in the canonical form only then,
    // so the digests (and cached base layers) of the recipes written before it stay the same.
    void busyboxBase()
    {
        const QString path
            = qEnvironmentVariable("DROVER_SOURCE_DIR") + QStringLiteral("/examples/recipes/inventory.json");
        auto recipe = loadRecipe(path);
        QVERIFY2(recipe, qPrintable(recipe.error()));
        QVERIFY(recipe->busyboxBase());
        QVERIFY(recipe->canonicalJson().contains("\"base\":\"busybox\""));
        QVERIFY(recipe->enableServices.isEmpty());

        const RecipeParse plain
            = parseRecipe("{\"name\": \"srv\", \"version\": \"1\"}", QStringLiteral("r.json"), m_dir.path());
        const RecipeParse debian
            = parseRecipe("{\"name\": \"srv\", \"version\": \"1\", \"distro\": {\"base\": \"debian\"}}",
                QStringLiteral("r.json"), m_dir.path());
        QVERIFY(plain.recipe && debian.recipe);
        QVERIFY(!plain.recipe->busyboxBase());
        QVERIFY(!plain.recipe->canonicalJson().contains("\"base\""));
        QCOMPARE(debian.recipe->digest(), plain.recipe->digest());
        QVERIFY(plain.recipe->checkValidUntil);
        const RecipeParse snapshot = parseRecipe("{\"name\": \"srv\", \"version\": \"1\", \"distro\": {\"suite\": "
                                                 "\"sid\", \"checkValidUntil\": false}}",
            QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(snapshot.recipe, qPrintable(snapshot.errorText()));
        QVERIFY(!snapshot.recipe->checkValidUntil);
        QVERIFY(snapshot.recipe->canonicalJson().contains("\"checkValidUntil\":false"));
        QVERIFY(!plain.recipe->canonicalJson().contains("checkValidUntil"));
        QVERIFY(!plain.recipe->canonicalJson().contains("extraSuites"));
        const RecipeParse more = parseRecipe("{\"name\": \"srv\", \"distro\": {\"extraSuites\": [\"trixie-updates\"], "
                                             "\"sources\": [\"deb [trusted=yes] file:///srv/repo ./ main\"]}}",
            QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(more.recipe, qPrintable(more.errorText()));
        QCOMPARE(more.recipe->extraSuites, QStringList { QStringLiteral("trixie-updates") });
        QVERIFY(more.recipe->canonicalJson().contains("\"sources\":[\"deb [trusted=yes] file:///srv/repo ./ main\"]"));
        Recipe busybox = *plain.recipe;
        busybox.base = QStringLiteral("busybox");
        QVERIFY(busybox.digest() != plain.recipe->digest());
    }

    // A root filesystem archive as the root: kept in the canonical form with its kernel package.
    void importedRoot()
    {
        write(QStringLiteral("root.tar"), "not really a tar");
        const RecipeParse parsed = parseRecipe(
            "{\"name\": \"imp\", \"version\": \"1\", \"from\": {\"rootfs\": \"root.tar\", \"kernelPackage\": "
            "\"linux-image-amd64\"}}",
            QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(parsed.recipe, qPrintable(parsed.errorText()));
        QVERIFY(parsed.recipe->imported());
        QCOMPARE(parsed.recipe->importPath(), m_dir.filePath(QStringLiteral("root.tar")));
        QCOMPARE(parsed.recipe->kernelPackage, QStringLiteral("linux-image-amd64"));
        const QByteArray canonical = parsed.recipe->canonicalJson();
        QVERIFY(canonical.contains("\"from\":{\"kernelPackage\":\"linux-image-amd64\",\"rootfs\":\"root.tar\"}"));
        const RecipeParse again = parseRecipe(canonical, QStringLiteral("c.json"), m_dir.path());
        QVERIFY2(again.recipe, qPrintable(again.errorText()));
        QCOMPARE(again.recipe->digest(), parsed.recipe->digest());
        QCOMPARE(parsed.recipe->kernelModules.contains(QLatin1String("all")), false); // a package's: pruned
    }

    // Where an imported root's kernel comes from, and which of its modules are kept.
    void importedKernel_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QString>("package");
        QTest::addColumn<QString>("image");
        QTest::addColumn<QStringList>("modules");
        const QStringList defaults { QStringLiteral("net"), QStringLiteral("storage"), QStringLiteral("virtio"),
            QStringLiteral("fs") };
        QTest::newRow("own kernel: all its modules")
            << QByteArray("") << QString() << QString() << QStringList { QStringLiteral("all") };
        QTest::newRow("own kernel, classes named")
            << QByteArray("") << QString() << QString() << QStringList { QStringLiteral("net") };
        QTest::newRow("package by version") << QByteArray(", \"kernelPackage\": \"linux-image-amd64=6.12.57-1\"")
                                            << QStringLiteral("linux-image-amd64=6.12.57-1") << QString() << defaults;
        QTest::newRow("another image") << QByteArray(", \"kernelImage\": \"debian-server:3\"") << QString()
                                       << QStringLiteral("debian-server:3") << defaults;
    }

    void importedKernel()
    {
        QFETCH(QByteArray, from);
        QFETCH(QString, package);
        QFETCH(QString, image);
        QFETCH(QStringList, modules);
        write(QStringLiteral("root.tar"), "not really a tar");
        const QByteArray prune = modules == QStringList { QStringLiteral("net") }
            ? QByteArray(", \"prune\": {\"kernelModules\": [\"net\"]}")
            : QByteArray();
        const RecipeParse parsed = parseRecipe(
            "{\"name\": \"imp\", \"version\": \"1\", \"from\": {\"rootfs\": \"root.tar\"" + from + "}" + prune + "}",
            QStringLiteral("r.json"), m_dir.path());
        QVERIFY2(parsed.recipe, qPrintable(parsed.errorText()));
        QCOMPARE(parsed.recipe->kernelPackage, package);
        QCOMPARE(parsed.recipe->kernelImage, image);
        QCOMPARE(parsed.recipe->kernelModules, modules);
        const RecipeParse again = parseRecipe(parsed.recipe->canonicalJson(), QStringLiteral("c.json"), m_dir.path());
        QVERIFY2(again.recipe, qPrintable(again.errorText()));
        QCOMPARE(again.recipe->kernelImage, image);
        QCOMPARE(again.recipe->digest(), parsed.recipe->digest());
    }

    void cliReportsValidation()
    {
        const QString exe = qEnvironmentVariable("DROVER_EXECUTABLE");
        if (exe.isEmpty() || !QFileInfo::exists(exe))
            QSKIP("the drover executable is not built");
        write(QStringLiteral("cli.json"), "{\n  \"name\": \"x\",\n  \"format\": \"zip\"\n}\n");
        QProcess p;
        p.start(exe,
            { QStringLiteral("--data"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("build"),
                m_dir.filePath(QStringLiteral("cli.json")) });
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(p.readAllStandardError().contains("cli.json:3:13: format: expected"), "no line/column in the message");
    }

    void locator()
    {
        const JsonLocator l("{\n  \"a\": {\"b\": [10, {\"c\": \"x\\\"y\"}]},\n  \"d\": null\n}");
        QCOMPARE(l.keyPosition(QStringLiteral("a")).line, 2);
        QCOMPARE(l.keyPosition(QStringLiteral("a")).column, 3);
        QCOMPARE(l.valuePosition(QStringLiteral("a.b[1].c")).column, 25);
        QCOMPARE(l.valuePosition(QStringLiteral("d")).line, 3);
        // Unknown paths fall back to the nearest parent that exists.
        QCOMPARE(l.valuePosition(QStringLiteral("a.b[1].zz")).column, 19);
        QCOMPARE(l.positionOf(0).line, 1);
    }

    void aptSources_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QStringList>("deb822");
        QTest::addColumn<QString>("mirror");
        const QString one
            = QStringLiteral("# comment\ndeb-src http://src.invalid/debian trixie main\n"
                             "deb [arch=amd64 signed-by=/k.gpg] http://mirror.invalid/debian/ trixie main\n"
                             "deb http://other.invalid/debian trixie main\n");
        QTest::newRow("one-line") << one << QStringList() << QStringLiteral("http://mirror.invalid/debian");
        QTest::newRow("security skipped")
            << QStringLiteral("deb http://mirror.invalid/debian-security trixie-security main\n"
                              "deb https://m.invalid/debian trixie main")
            << QStringList() << QStringLiteral("https://m.invalid/debian");
        const QString sources = QStringLiteral("Types: deb deb-src\nURIs: http://a.invalid/debian\nSuites: trixie "
                                               "trixie-updates\nComponents: main\n\n"
                                               "Types: deb\nURIs: http://s.invalid/debian-security\nSuites: "
                                               "trixie-security\nComponents: main\n");
        QTest::newRow("deb822 first") << one << QStringList { sources } << QStringLiteral("http://a.invalid/debian");
        QTest::newRow("disabled") << QString()
                                  << QStringList { QStringLiteral(
                                         "Enabled: no\nTypes: deb\nURIs: http://x.invalid/debian\nSuites: trixie\n\n"
                                         "Types: deb\nURIs: file:///srv/mirror\nSuites: trixie\n") }
                                  << QStringLiteral("file:///srv/mirror");
        QTest::newRow("none") << QStringLiteral("deb cdrom:[Debian]/ trixie main\n") << QStringList() << QString();
    }
    void aptSources()
    {
        QFETCH(QString, list);
        QFETCH(QStringList, deb822);
        QFETCH(QString, mirror);
        QCOMPARE(mirrorFromAptSources({ list, deb822 }).value_or(QString()), mirror);
    }

    void releaseDateParsed()
    {
        const QDateTime d = releaseDate("Origin: Debian\nSuite: stable\nDate: Sat, 08 Nov 2025 10:05:04 UTC\n");
        QVERIFY(d.isValid());
        QCOMPARE(d.toSecsSinceEpoch(), 1762596304);
    }

    void moduleClassesMatch_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("classes");
        QTest::addColumn<bool>("kept");
        const QStringList usual { QStringLiteral("net"), QStringLiteral("virtio") };
        QTest::newRow("ethernet") << QStringLiteral("kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko.xz") << usual
                                  << true;
        QTest::newRow("wifi") << QStringLiteral("kernel/drivers/net/wireless/ath/ath9k/ath9k.ko.xz") << usual << false;
        QTest::newRow("virtio net") << QStringLiteral("kernel/drivers/net/virtio_net.ko.xz")
                                    << QStringList { QStringLiteral("virtio") } << true;
        QTest::newRow("core crypto") << QStringLiteral("kernel/crypto/crc32c_generic.ko.xz") << QStringList() << true;
        QTest::newRow("sound") << QStringLiteral("kernel/sound/core/snd.ko.xz") << usual << false;
        QTest::newRow("all") << QStringLiteral("kernel/sound/core/snd.ko.xz") << QStringList { QStringLiteral("all") }
                             << true;
        QTest::newRow("out of tree") << QStringLiteral("updates/dkms/zfs.ko.xz") << QStringList() << true;
    }
    void moduleClassesMatch()
    {
        QFETCH(QString, path);
        QFETCH(QStringList, classes);
        QFETCH(bool, kept);
        QCOMPARE(moduleInClasses(path, classes), kept);
    }

    // The finer classes for ordinary PCs, module by module from Debian's 6.12 tree: what a
    // classroom PC has is kept, datacenter and cluster hardware is not.
    void pcClassesMatch_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("cls");
        QTest::addColumn<bool>("kept");
        const auto row = [](const char *name, const char *path, const char *cls, bool kept) {
            QTest::newRow(name) << QString(QStringLiteral("kernel/") + QLatin1StringView(path))
                                << QString(QLatin1StringView(cls)) << kept;
        };
        row("e1000", "drivers/net/ethernet/intel/e1000/e1000.ko.xz", "nic-pc", true);
        row("e1000e", "drivers/net/ethernet/intel/e1000e/e1000e.ko.xz", "nic-pc", true);
        row("e100", "drivers/net/ethernet/intel/e100.ko.xz", "nic-pc", true);
        row("igc", "drivers/net/ethernet/intel/igc/igc.ko.xz", "nic-pc", true);
        row("r8169", "drivers/net/ethernet/realtek/r8169.ko.xz", "nic-pc", true);
        row("tg3", "drivers/net/ethernet/broadcom/tg3.ko.xz", "nic-pc", true);
        row("alx", "drivers/net/ethernet/atheros/alx/alx.ko.xz", "nic-pc", true);
        row("atl1c", "drivers/net/ethernet/atheros/atl1c/atl1c.ko.xz", "nic-pc", true);
        row("sky2", "drivers/net/ethernet/marvell/sky2.ko.xz", "nic-pc", true);
        row("atlantic", "drivers/net/ethernet/aquantia/atlantic/atlantic.ko.xz", "nic-pc", true);
        row("r8152", "drivers/net/usb/r8152.ko.xz", "nic-pc", true);
        row("ax88179", "drivers/net/usb/ax88179_178a.ko.xz", "nic-pc", true);
        row("cdc_ether", "drivers/net/usb/cdc_ether.ko.xz", "nic-pc", true);
        row("realtek phy", "drivers/net/phy/realtek.ko.xz", "nic-pc", true);
        row("tun", "drivers/net/tun.ko.xz", "nic-pc", true);
        row("bridge", "net/bridge/bridge.ko.xz", "nic-pc", true);
        row("nf_tables", "net/netfilter/nf_tables.ko.xz", "nic-pc", true);
        row("8021q", "net/8021q/8021q.ko.xz", "nic-pc", true);
        row("mlx5", "drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko.xz", "nic-pc", false);
        row("ice", "drivers/net/ethernet/intel/ice/ice.ko.xz", "nic-pc", false);
        row("bnxt", "drivers/net/ethernet/broadcom/bnxt/bnxt_en.ko.xz", "nic-pc", false);
        row("qede", "drivers/net/ethernet/qlogic/qede/qede.ko.xz", "nic-pc", false);
        row("sctp", "net/sctp/sctp.ko.xz", "nic-pc", false);
        row("ceph", "net/ceph/libceph.ko.xz", "nic-pc", false);
        row("wifi", "drivers/net/wireless/intel/iwlwifi/iwlwifi.ko.xz", "nic-pc", false);
        row("mac80211", "net/mac80211/mac80211.ko.xz", "nic-pc", false);
        row("ahci", "drivers/ata/ahci.ko.xz", "storage-pc", true);
        row("ata_piix", "drivers/ata/ata_piix.ko.xz", "storage-pc", true);
        row("nvme", "drivers/nvme/host/nvme.ko.xz", "storage-pc", true);
        row("sd_mod", "drivers/scsi/sd_mod.ko.xz", "storage-pc", true);
        row("sr_mod", "drivers/scsi/sr_mod.ko.xz", "storage-pc", true);
        row("sg", "drivers/scsi/sg.ko.xz", "storage-pc", true);
        row("uas", "drivers/usb/storage/uas.ko.xz", "storage-pc", true);
        row("usb-storage", "drivers/usb/storage/usb-storage.ko.xz", "storage-pc", true);
        row("sdhci-pci", "drivers/mmc/host/sdhci-pci.ko.xz", "storage-pc", true);
        row("mmc_block", "drivers/mmc/core/mmc_block.ko.xz", "storage-pc", true);
        row("rtsx_pci", "drivers/misc/cardreader/rtsx_pci.ko.xz", "storage-pc", true);
        row("dm-crypt", "drivers/md/dm-crypt.ko.xz", "storage-pc", true);
        row("zram", "drivers/block/zram/zram.ko.xz", "storage-pc", true);
        row("lpfc", "drivers/scsi/lpfc/lpfc.ko.xz", "storage-pc", false);
        row("qla2xxx", "drivers/scsi/qla2xxx/qla2xxx.ko.xz", "storage-pc", false);
        row("megaraid", "drivers/scsi/megaraid/megaraid_sas.ko.xz", "storage-pc", false);
        row("mpt3sas", "drivers/scsi/mpt3sas/mpt3sas.ko.xz", "storage-pc", false);
        row("nvmet", "drivers/nvme/target/nvmet.ko.xz", "storage-pc", false);
        row("drbd", "drivers/block/drbd/drbd.ko.xz", "storage-pc", false);
        row("target", "drivers/target/target_core_mod.ko.xz", "storage-pc", false);
        row("ext4", "fs/ext4/ext4.ko.xz", "fs-common", true);
        row("vfat", "fs/fat/vfat.ko.xz", "fs-common", true);
        row("exfat", "fs/exfat/exfat.ko.xz", "fs-common", true);
        row("ntfs3", "fs/ntfs3/ntfs3.ko.xz", "fs-common", true);
        row("isofs", "fs/isofs/isofs.ko.xz", "fs-common", true);
        row("udf", "fs/udf/udf.ko.xz", "fs-common", true);
        row("nfsv4", "fs/nfs/nfsv4.ko.xz", "fs-common", true);
        row("cifs", "fs/smb/client/cifs.ko.xz", "fs-common", true);
        row("nls_utf8", "fs/nls/nls_utf8.ko.xz", "fs-common", true);
        row("fuse", "fs/fuse/fuse.ko.xz", "fs-common", true);
        row("ocfs2", "fs/ocfs2/ocfs2.ko.xz", "fs-common", false);
        row("gfs2", "fs/gfs2/gfs2.ko.xz", "fs-common", false);
        row("ceph fs", "fs/ceph/ceph.ko.xz", "fs-common", false);
        row("nfsd", "fs/nfsd/nfsd.ko.xz", "fs-common", false);
        row("smb server", "fs/smb/server/ksmbd.ko.xz", "fs-common", false);
        row("xhci", "drivers/usb/host/xhci-pci.ko.xz", "usb-pc", true);
        row("usblp", "drivers/usb/class/usblp.ko.xz", "usb-pc", true);
        row("cdc-acm", "drivers/usb/class/cdc-acm.ko.xz", "usb-pc", true);
        row("ftdi_sio", "drivers/usb/serial/ftdi_sio.ko.xz", "usb-pc", true);
        row("ucsi", "drivers/usb/typec/ucsi/ucsi_acpi.ko.xz", "usb-pc", true);
        row("gadget", "drivers/usb/gadget/udc/dummy_hcd.ko.xz", "usb-pc", false);
        row("io_ti", "drivers/usb/serial/io_ti.ko.xz", "usb-pc", false);
        row("usb nic", "drivers/net/usb/r8152.ko.xz", "usb-pc", false);
        row("thunderbolt", "drivers/thunderbolt/thunderbolt.ko.xz", "usb-pc", true);
        row("usbhid", "drivers/hid/usbhid/usbhid.ko.xz", "input-pc", true);
        row("hid-generic", "drivers/hid/hid-generic.ko.xz", "input-pc", true);
        row("hid-multitouch", "drivers/hid/hid-multitouch.ko.xz", "input-pc", true);
        row("logitech-dj", "drivers/hid/hid-logitech-dj.ko.xz", "input-pc", true);
        row("i2c-hid", "drivers/hid/i2c-hid/i2c-hid-acpi.ko.xz", "input-pc", true);
        row("psmouse", "drivers/input/mouse/psmouse.ko.xz", "input-pc", true);
        row("evdev", "drivers/input/evdev.ko.xz", "input-pc", true);
        row("wacom", "drivers/hid/wacom.ko.xz", "input-pc", false);
        row("nintendo", "drivers/hid/hid-nintendo.ko.xz", "input-pc", false);
        row("touchscreen", "drivers/input/touchscreen/usbtouchscreen.ko.xz", "input-pc", false);
        row("joystick", "drivers/input/joystick/xpad.ko.xz", "input-pc", false);
        row("hid for nic-pc", "drivers/hid/usbhid/usbhid.ko.xz", "nic-pc", false);
    }
    void pcClassesMatch()
    {
        QFETCH(QString, path);
        QFETCH(QString, cls);
        QFETCH(bool, kept);
        QVERIFY(moduleClasses().contains(cls));
        QVERIFY(!moduleClassDescription(cls).isEmpty());
        QCOMPARE(moduleInClasses(path, { cls }), kept);
    }

    // The classes that were there before the finer ones keep their meaning, so every
    // existing recipe keeps its image digest: each path below is kept by exactly the old
    // classes listed, and by none of the others.
    void oldClassesUnchanged_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("keptBy");
        const auto row = [](const char *path, const char *classes) {
            QTest::newRow(path) << QString(QStringLiteral("kernel/") + QLatin1StringView(path))
                                << QString::fromLatin1(classes).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        };
        row("drivers/net/ethernet/intel/e1000e/e1000e.ko.xz", "net");
        row("drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko.xz", "net");
        row("drivers/net/usb/r8152.ko.xz", "net");
        row("drivers/net/phy/realtek.ko.xz", "net");
        row("drivers/net/wireless/intel/iwlwifi/iwlwifi.ko.xz", "wireless");
        row("drivers/net/can/vcan.ko.xz", "");
        row("drivers/net/wwan/wwan_hwsim.ko.xz", "");
        row("drivers/net/virtio_net.ko.xz", "net virtio");
        row("drivers/net/hyperv/hv_netvsc.ko.xz", "net hypervisor");
        row("drivers/net/vmxnet3/vmxnet3.ko.xz", "net hypervisor");
        row("drivers/ptp/ptp_kvm.ko.xz", "net");
        row("drivers/bluetooth/btusb.ko.xz", "wireless");
        row("net/bluetooth/bluetooth.ko.xz", "wireless");
        row("net/rfkill/rfkill.ko.xz", "wireless");
        row("net/mac80211/mac80211.ko.xz", "wireless");
        row("net/can/can.ko.xz", "");
        row("net/nfc/nfc.ko.xz", "");
        row("net/netfilter/nf_tables.ko.xz", "net");
        row("net/sctp/sctp.ko.xz", "net");
        row("net/vmw_vsock/vmw_vsock_virtio_transport.ko.xz", "net virtio");
        row("drivers/ata/ahci.ko.xz", "storage");
        row("drivers/scsi/lpfc/lpfc.ko.xz", "storage");
        row("drivers/scsi/virtio_scsi.ko.xz", "storage virtio");
        row("drivers/scsi/vmw_pvscsi.ko.xz", "storage hypervisor");
        row("drivers/nvme/host/nvme.ko.xz", "storage");
        row("drivers/block/virtio_blk.ko.xz", "storage virtio");
        row("drivers/block/xen-blkfront.ko.xz", "storage hypervisor");
        row("drivers/md/dm-crypt.ko.xz", "storage");
        row("drivers/usb/storage/uas.ko.xz", "storage usb");
        row("drivers/mmc/host/sdhci-pci.ko.xz", "storage");
        row("drivers/misc/cardreader/rtsx_pci.ko.xz", "platform");
        row("drivers/target/target_core_mod.ko.xz", "storage");
        row("drivers/virtio/virtio_balloon.ko.xz", "virtio");
        row("drivers/char/hw_random/virtio-rng.ko.xz", "virtio platform");
        row("drivers/char/virtio_console.ko.xz", "virtio platform");
        row("drivers/gpu/drm/virtio/virtio-gpu.ko.xz", "virtio gpu");
        row("drivers/gpu/drm/vmwgfx/vmwgfx.ko.xz", "hypervisor gpu");
        row("drivers/gpu/drm/i915/i915.ko.xz", "gpu");
        row("drivers/crypto/virtio/virtio_crypto.ko.xz", "virtio platform");
        row("drivers/hv/hv_vmbus.ko.xz", "hypervisor");
        row("drivers/input/serio/hyperv-keyboard.ko.xz", "hypervisor usb input");
        row("fs/fuse/virtiofs.ko.xz", "virtio fs");
        row("fs/ext4/ext4.ko.xz", "fs");
        row("fs/ocfs2/ocfs2.ko.xz", "fs");
        row("drivers/usb/host/xhci-pci.ko.xz", "usb");
        row("drivers/usb/gadget/udc/dummy_hcd.ko.xz", "usb");
        row("drivers/hid/usbhid/usbhid.ko.xz", "usb input");
        row("drivers/input/mouse/psmouse.ko.xz", "usb input");
        row("drivers/video/fbdev/core/fb.ko.xz", "gpu");
        row("drivers/accel/qaic/qaic.ko.xz", "gpu");
        row("sound/pci/hda/snd-hda-intel.ko.xz", "sound");
        row("drivers/soundwire/soundwire-bus.ko.xz", "sound");
        row("drivers/media/usb/uvc/uvcvideo.ko.xz", "media");
        row("drivers/hwmon/coretemp.ko.xz", "platform");
        row("drivers/tty/serial/8250/8250_dw.ko.xz", "platform");
        row("drivers/infiniband/core/ib_core.ko.xz", "infiniband");
        row("drivers/thunderbolt/thunderbolt.ko.xz", "");
        row("drivers/hid/wacom.ko.xz", "usb input");
        row("drivers/staging/rtl8723bs/r8723bs.ko.xz", "");
    }
    void oldClassesUnchanged()
    {
        QFETCH(QString, path);
        QFETCH(QStringList, keptBy);
        const QStringList old { QStringLiteral("net"), QStringLiteral("wireless"), QStringLiteral("storage"),
            QStringLiteral("virtio"), QStringLiteral("hypervisor"), QStringLiteral("fs"), QStringLiteral("usb"),
            QStringLiteral("input"), QStringLiteral("gpu"), QStringLiteral("sound"), QStringLiteral("media"),
            QStringLiteral("platform"), QStringLiteral("infiniband") };
        for (const QString &cls : old)
            QVERIFY2(moduleInClasses(path, { cls }) == keptBy.contains(cls), qPrintable(cls));
        // All of them still offered, in the order they had.
        QCOMPARE(moduleClasses().mid(0, old.size()), old);
    }

    void aptFailureExplained()
    {
        const QStringList lines { QStringLiteral("Reading package lists..."),
            QStringLiteral("E: Unable to locate package drover-nonexistent"),
            QStringLiteral("E: Package 'mail-transport-agent' has no installation candidate"),
            QStringLiteral("E: mmdebstrap failed") };
        const QString why = BuildJob::explainAptFailure(lines, QStringLiteral("trixie"), { QStringLiteral("main") });
        QVERIFY(why.contains(QStringLiteral("\"drover-nonexistent\" is not in trixie (main)")));
        QVERIFY(why.contains(QStringLiteral("\"mail-transport-agent\" has no installable version")));
        QVERIFY(BuildJob::explainAptFailure({ QStringLiteral("E: network") }, QStringLiteral("trixie"), {}).isEmpty());
        // A snapshot mirror's sid, as this machine's mirror gives it.
        const QString stale = BuildJob::explainAptFailure(
            { QStringLiteral("E: Release file for http://mirror.invalid/debian/dists/sid/InRelease is expired (invalid "
                             "since 30d 11h 16min 38s). Updates for this repository will not be applied.") },
            QStringLiteral("sid"), { QStringLiteral("main") });
        QVERIFY2(stale.contains(QStringLiteral("sid Release file expired 30d 11h 16min 38s ago")), qPrintable(stale));
        QVERIFY(stale.contains(QStringLiteral("distro.checkValidUntil")));
    }

    void initModulesFromScript()
    {
        QCOMPARE(BuildJob::modulesNamedBy("#!/bin/busybox sh\n# drover-modules: a b\n#drover-modules: c,d\n"),
            (QStringList { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d") }));
        QCOMPARE(BuildJob::modulesNamedBy(": \"${DROVER_MODULES:=loop squashfs}\"  # x\n"),
            (QStringList { QStringLiteral("loop"), QStringLiteral("squashfs") }));
        QVERIFY(BuildJob::modulesNamedBy("#!/bin/sh\n").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstRecipe)
#include "tst_recipe.moc"
