// OciSource headless: whiteout names, and OCI layouts and docker-archives written here, valid
// and broken (a blob that does not match its digest, a path out of the archive, no image for
// linux/amd64). Real images from umoci and skopeo are imported by boot_e2e_import_oci.
#include "builder/ocisource.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace drover;

class TstOciSource : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    static QString digestOf(const QByteArray &bytes)
    {
        return QStringLiteral("sha256:")
            + QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    }

    static void write(const QString &path, const QByteArray &bytes)
    {
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }

    // A blob in the layout; returns its descriptor.
    static QJsonObject blob(const QString &layout, const QByteArray &bytes, const QString &mediaType)
    {
        const QString digest = digestOf(bytes);
        write(layout + QStringLiteral("/blobs/sha256/") + digest.mid(7), bytes);
        return { { QStringLiteral("mediaType"), mediaType }, { QStringLiteral("digest"), digest },
            { QStringLiteral("size"), bytes.size() } };
    }

    // An OCI layout with two layers; returns its directory.
    QString layout(const QString &name, const QJsonArray &platforms = {})
    {
        const QString dir = m_dir.filePath(name);
        const QJsonObject config = blob(dir, "{}", QStringLiteral("application/vnd.oci.image.config.v1+json"));
        QJsonArray layers { blob(dir, "layer one", QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip")),
            blob(dir, "layer two", QStringLiteral("application/vnd.oci.image.layer.v1.tar")) };
        const QByteArray manifest = QJsonDocument(
            QJsonObject { { QStringLiteral("schemaVersion"), 2 }, { QStringLiteral("config"), config },
                { QStringLiteral("layers"),
                    layers } }).toJson();
        QJsonArray manifests;
        if (platforms.isEmpty()) {
            manifests.append(blob(dir, manifest, QStringLiteral("application/vnd.oci.image.manifest.v1+json")));
        } else {
            for (const auto &p : platforms) {
                QJsonObject m = blob(dir, manifest, QStringLiteral("application/vnd.oci.image.manifest.v1+json"));
                m.insert(QStringLiteral("platform"), p);
                manifests.append(m);
            }
        }
        write(dir + QStringLiteral("/oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
        write(dir + QStringLiteral("/index.json"),
            QJsonDocument(
                QJsonObject { { QStringLiteral("schemaVersion"), 2 }, { QStringLiteral("manifests"), manifests } })
                .toJson());
        return dir;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void whiteouts_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<bool>("whiteout");
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("name");
        QTest::newRow("file") << QStringLiteral("etc/.wh.motd") << true << QStringLiteral("etc")
                              << QStringLiteral("motd");
        QTest::newRow("dot slash") << QStringLiteral("./usr/share/.wh.doc") << true << QStringLiteral("usr/share")
                                   << QStringLiteral("doc");
        QTest::newRow("top level") << QStringLiteral(".wh.srv") << true << QString() << QStringLiteral("srv");
        QTest::newRow("opaque") << QStringLiteral("var/cache/.wh..wh..opq") << true << QStringLiteral("var/cache")
                                << QString();
        QTest::newRow("plain file") << QStringLiteral("etc/motd") << false << QString() << QString();
        QTest::newRow("wh in a directory name") << QStringLiteral(".wh.dir/file") << false << QString() << QString();
        QTest::newRow("escaping") << QStringLiteral("../etc/.wh.passwd") << false << QString() << QString();
        QTest::newRow("escaping inside") << QStringLiteral("a/../../.wh.x") << false << QString() << QString();
        QTest::newRow("dot dot name") << QStringLiteral("etc/.wh...") << false << QString() << QString();
        QTest::newRow("empty name") << QStringLiteral("etc/.wh.") << false << QString() << QString();
    }
    void whiteouts()
    {
        QFETCH(QString, entry);
        QFETCH(bool, whiteout);
        QFETCH(QString, dir);
        QFETCH(QString, name);
        QString gotDir;
        QString gotName;
        QCOMPARE(parseWhiteout(entry, &gotDir, &gotName), whiteout);
        if (whiteout) {
            QCOMPARE(gotDir, dir);
            QCOMPARE(gotName, name);
        }
    }

    // A lower layer made "etc" a symlink (to the host's /etc, say): an upper layer's
    // "etc/shadow" would be written through it, unless the layer brings "etc/" itself.
    void entryThroughSymlink_data()
    {
        QTest::addColumn<QStringList>("entries");
        QTest::addColumn<QString>("refused");
        QTest::newRow("through") << QStringList { QStringLiteral("usr/bin/ls"), QStringLiteral("etc/shadow") }
                                 << QStringLiteral("etc/shadow");
        QTest::newRow("deep") << QStringList { QStringLiteral("./var/lib/x") } << QStringLiteral("./var/lib/x");
        QTest::newRow("replaced by a directory")
            << QStringList { QStringLiteral("etc/"), QStringLiteral("etc/shadow") } << QString();
        QTest::newRow("the symlink itself") << QStringList { QStringLiteral("etc") } << QString();
        QTest::newRow("elsewhere") << QStringList { QStringLiteral("usr/bin/ls"), QStringLiteral("etcetera/x") }
                                   << QString();
    }
    void entryThroughSymlink()
    {
        QFETCH(QStringList, entries);
        QFETCH(QString, refused);
        const QSet<QString> symlinks { QStringLiteral("etc"), QStringLiteral("var/lib") };
        int asked = 0;
        const QString got = drover::entryThroughSymlink(entries, [&](const QString &path) {
            ++asked;
            return symlinks.contains(path);
        });
        QCOMPARE(got, refused);
        QVERIFY(asked <= 4); // each prefix once
    }

    void layoutLayersInOrder()
    {
        const QString dir = layout(QStringLiteral("good"));
        auto source = readOciSource(dir);
        QVERIFY2(source, qPrintable(source ? QString() : source.error()));
        QCOMPARE(source->kind, QStringLiteral("OCI layout"));
        QCOMPARE(source->layers.size(), 2);
        QFile first(source->layers.first());
        QVERIFY(first.open(QIODevice::ReadOnly));
        QCOMPARE(first.readAll(), QByteArray("layer one"));
        QVERIFY(source->configDigest.startsWith(QLatin1String("sha256:")));
    }

    void platformChosen()
    {
        const QJsonArray platforms { QJsonObject { { QStringLiteral("os"), QStringLiteral("linux") },
                                         { QStringLiteral("architecture"), QStringLiteral("arm64") } },
            QJsonObject { { QStringLiteral("os"), QStringLiteral("linux") },
                { QStringLiteral("architecture"), QStringLiteral("amd64") } } };
        QVERIFY(readOciSource(layout(QStringLiteral("multi"), platforms)));
        const QJsonArray arm { platforms.first(), platforms.first() };
        auto none = readOciSource(layout(QStringLiteral("arm"), arm));
        QVERIFY(!none);
        QVERIFY2(none.error().contains(QStringLiteral("none for linux/amd64")), qPrintable(none.error()));
    }

    void tamperedBlobRefused()
    {
        const QString dir = layout(QStringLiteral("tampered"));
        const QString layer = readOciSource(dir)->layers.last();
        write(layer, "layer two, changed");
        auto source = readOciSource(dir);
        QVERIFY(!source);
        QVERIFY2(source.error().contains(QStringLiteral("layer 2"))
                && source.error().contains(QStringLiteral("does not match")),
            qPrintable(source.error()));
        // A blob that is a symlink (to a file of the host) is refused, even with the right digest.
        QVERIFY(QFile::remove(layer));
        write(dir + QStringLiteral("/two"), "layer two");
        QVERIFY(QFile::link(dir + QStringLiteral("/two"), layer));
        auto linked = readOciSource(dir);
        QVERIFY(!linked);
        QVERIFY2(linked.error().contains(QStringLiteral("is a symlink")), qPrintable(linked.error()));
    }

    void dockerArchive()
    {
        const QString dir = m_dir.filePath(QStringLiteral("docker"));
        write(dir + QStringLiteral("/aaa/layer.tar"), "lower");
        write(dir + QStringLiteral("/bbb/layer.tar"), "upper");
        const QByteArray config = QJsonDocument(
            QJsonObject { { QStringLiteral("rootfs"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("layers") },
                    { QStringLiteral("diff_ids"), QJsonArray { digestOf("lower"), digestOf("upper") } } } } })
                                      .toJson();
        write(dir + QStringLiteral("/config.json"), config);
        const auto manifest = [&](const QString &secondLayer) {
            write(dir + QStringLiteral("/manifest.json"),
                QJsonDocument(
                    QJsonArray { QJsonObject { { QStringLiteral("Config"), QStringLiteral("config.json") },
                        { QStringLiteral("Layers"), QJsonArray { QStringLiteral("aaa/layer.tar"), secondLayer } } } })
                    .toJson());
        };
        manifest(QStringLiteral("bbb/layer.tar"));
        auto source = readOciSource(dir);
        QVERIFY2(source, qPrintable(source ? QString() : source.error()));
        QCOMPARE(source->kind, QStringLiteral("docker-archive"));
        QCOMPARE(source->layers,
            (QStringList { dir + QStringLiteral("/aaa/layer.tar"), dir + QStringLiteral("/bbb/layer.tar") }));

        manifest(QStringLiteral("../bbb/layer.tar"));
        auto escaping = readOciSource(dir);
        QVERIFY(!escaping);
        QVERIFY2(escaping.error().contains(QStringLiteral("names the layer")), qPrintable(escaping.error()));

        manifest(QStringLiteral("aaa/layer.tar")); // the lower layer twice: not the config's second diff_id
        auto swapped = readOciSource(dir);
        QVERIFY(!swapped);
        QVERIFY2(swapped.error().contains(QStringLiteral("diff_id")), qPrintable(swapped.error()));
    }

    void neitherRefused()
    {
        const QString dir = m_dir.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(dir));
        auto source = readOciSource(dir);
        QVERIFY(!source);
        QVERIFY(source.error().contains(QStringLiteral("neither an OCI image layout")));
        write(dir + QStringLiteral("/index.json"), "{ not json");
        QVERIFY(!readOciSource(dir));
    }
};

QTEST_GUILESS_MAIN(TstOciSource)
#include "tst_ocisource.moc"
