// The image panel: a 1 GB bundle import runs off the GUI thread (the event loop keeps
// turning), delete is refused while an image is in use and says by whom, verify reports a
// corrupt blob, clean up frees what nothing uses.
#include "catalog/catalog.h"
#include "images/boottargetlist.h"
#include "images/imagemodel.h"
#include "images/imagepanel.h"
#include "images/storetask.h"
#include "main/mainwindow.h"
#include "store/bundle.h"
#include "store/imagestore.h"
#include "testlab.h"

#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

using namespace drover;
using namespace drover::test;

namespace {

// Publishes an image whose one layer has `layerBytes` bytes in a store under `root`.
Manifest makeImage(const QString &root, const QString &version, qint64 layerBytes)
{
    ImageStore store(root);
    if (!store.blobs().init().ok())
        qFatal("cannot init store");
    auto put = [&store](const QByteArray &bytes) {
        auto ref = store.blobs().putBytes(bytes);
        if (!ref)
            qFatal("put failed: %s", qPrintable(ref.error()));
        return ref.value();
    };
    Manifest m;
    m.name = QStringLiteral("big");
    m.version = version;
    m.kernel = put("kernel " + version.toUtf8());
    m.initrd = put("initrd " + version.toUtf8());
    // A layer written in chunks, never whole in memory.
    QTemporaryFile file;
    if (!file.open())
        qFatal("temp file");
    QByteArray chunk(1 << 20, Qt::Uninitialized);
    for (qint64 done = 0; done < layerBytes; done += chunk.size()) {
        for (int i = 0; i < chunk.size(); i += 8)
            *reinterpret_cast<quint64 *>(chunk.data() + i) = quint64(done + i) * 0x9E3779B97F4A7C15ULL;
        file.write(chunk.constData(), qMin<qint64>(chunk.size(), layerBytes - done));
    }
    file.flush();
    auto layer = store.blobs().putFile(file.fileName());
    if (!layer)
        qFatal("put layer failed: %s", qPrintable(layer.error()));
    m.layers.append(LayerRef { layer->digest, layer->size, QStringLiteral("squashfs"), QStringLiteral("base") });
    if (!store.publish(m).ok())
        qFatal("publish failed");
    return m;
}

} // namespace

class TstImagePanel : public QObject {
    Q_OBJECT

    TestLab m_t;

private Q_SLOTS:
    void initTestCase() { isolateSettings(QStringLiteral("drover-test-imagepanel")); }

    void init() { m_t = sqliteLab(); }

    void cleanup() { m_t = TestLab(); }

    void largeImportKeepsWindowResponsive()
    {
        const qint64 megabytes = qEnvironmentVariableIntValue("DROVER_TEST_IMPORT_MB") > 0
            ? qEnvironmentVariableIntValue("DROVER_TEST_IMPORT_MB")
            : 1024;
        QTemporaryDir other;
        makeImage(other.filePath(QStringLiteral("store")), QStringLiteral("1"), megabytes << 20);
        const QString bundle = other.filePath(QStringLiteral("big.tar"));
        auto exported
            = exportBundle(ImageStore(other.filePath(QStringLiteral("store"))), QStringLiteral("big:1"), bundle);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));

        MainWindow w(m_t.lab.get());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ImagePanel *panel = w.imagePanel();
        QSignalSpy finished(panel, &ImagePanel::taskFinished);
        QSignalSpy progress(panel->task(), &StoreTask::progress);

        // A timer on the GUI thread: the longest gap between its ticks is how long the
        // window would have been frozen.
        QElapsedTimer clock;
        qint64 last = 0;
        qint64 longestGap = 0;
        QTimer tick;
        tick.setInterval(10);
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            longestGap = qMax(longestGap, now - last);
            last = now;
        });
        clock.start();
        tick.start();
        panel->importFile(bundle);
        QVERIFY(finished.wait(600000));
        tick.stop();
        QCOMPARE(finished.first().first().toString(), QString());
        QVERIFY(progress.count() > 1);
        QVERIFY2(longestGap < 500, qPrintable(QStringLiteral("GUI thread stalled %1 ms").arg(longestGap)));
        QVERIFY(m_t.lab->catalog()->imageByTag(QStringLiteral("big:1")).has_value());
        qInfo("imported %lld MB; longest GUI gap %lld ms", megabytes, longestGap);
    }

    void cancelImportPublishesNothing()
    {
        QTemporaryDir other;
        makeImage(other.filePath(QStringLiteral("store")), QStringLiteral("2"), 256 << 20);
        const QString bundle = other.filePath(QStringLiteral("b.tar"));
        QVERIFY(
            exportBundle(ImageStore(other.filePath(QStringLiteral("store"))), QStringLiteral("big:2"), bundle).ok());
        ImageModel model(m_t.lab->catalog());
        ImagePanel panel(m_t.lab.get(), &model);
        QSignalSpy finished(&panel, &ImagePanel::taskFinished);
        panel.importFile(bundle);
        panel.task()->cancel();
        QVERIFY(finished.wait(120000));
        QVERIFY(!finished.first().first().toString().isEmpty());
        QVERIFY(!m_t.lab->catalog()->imageByTag(QStringLiteral("big:2")).has_value());
        QVERIFY(!ImageStore(m_t.lab->storeDir()).resolve(QStringLiteral("big:2")).has_value());
    }

    void deleteRefusedWhileInUse()
    {
        const Manifest m = makeImage(m_t.lab->storeDir(), QStringLiteral("3"), 4096);
        QVERIFY(publishImage(ImageStore(m_t.lab->storeDir()), *m_t.lab->catalog(), m).ok());
        QVERIFY(m_t.lab->catalog()
                ->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("big:3"), {}, {})
                .ok());
        ImageModel model(m_t.lab->catalog());
        ImagePanel panel(m_t.lab.get(), &model);
        panel.setConfirm([](const QString &, const QString &) { return true; });
        panel.table()->selectRow(0);
        QCOMPARE(panel.selectedTag(), QStringLiteral("big:3"));
        QSignalSpy messages(&panel, &ImagePanel::message);
        panel.deleteSelected();
        QVERIFY(!messages.isEmpty());
        QVERIFY2(messages.last().first().toString().contains(QLatin1String("group demo")),
            qPrintable(messages.last().first().toString()));
        QVERIFY(m_t.lab->catalog()->imageByTag(QStringLiteral("big:3")).has_value());
    }

    // Add ISO: checked and stored off the GUI thread, listed under the boot targets, draggable
    // as @iso:NAME; a file that is no bootable ISO is refused with its reason; removing one
    // in use is refused.
    void addAndRemoveIso()
    {
        ImageModel model(m_t.lab->catalog());
        ImagePanel panel(m_t.lab.get(), &model);
        panel.setConfirm([](const QString &, const QString &) { return true; });
        auto *targets = panel.findChild<BootTargetList *>(QStringLiteral("bootTargetList"));
        QVERIFY(targets);
        QCOMPARE(targets->count(), 3);
        QTemporaryDir dir;
        const QString notIso = dir.filePath(QStringLiteral("notes.iso"));
        QFile bad(notIso);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not an image");
        bad.close();
        QSignalSpy finished(&panel, &ImagePanel::taskFinished);
        panel.addIso(notIso);
        QVERIFY(finished.wait(20000));
        QVERIFY2(finished.last().first().toString().contains(QLatin1String("is not an ISO 9660 image")),
            qPrintable(finished.last().first().toString()));

        // Sector 16 on: a primary volume descriptor, an El Torito boot record, the terminator.
        QByteArray iso(16 * 2048, '\0');
        for (const auto &[type, id] :
            { std::pair<char, QByteArray> { 1, "X" }, { 0, "EL TORITO SPECIFICATION" }, { char(255), {} } }) {
            QByteArray d(2048, '\0');
            d[0] = type;
            d.replace(1, 5, "CD001");
            d.replace(7, id.size(), id);
            iso += d;
        }
        const QString path = dir.filePath(QStringLiteral("rescue.iso"));
        QFile good(path);
        QVERIFY(good.open(QIODevice::WriteOnly));
        good.write(iso);
        good.close();
        panel.addIso(path);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.last().first().toString(), QString());
        QCOMPARE(m_t.lab->catalog()->isos().size(), 1);
        QTRY_COMPARE(targets->count(), 4);
        QCOMPARE(targets->item(3)->text(), QStringLiteral("ISO rescue"));
        std::unique_ptr<QMimeData> data(targets->model()->mimeData({ targets->model()->index(3, 0) }));
        QCOMPARE(QString::fromUtf8(data->data(ImageModel::mimeType())), QStringLiteral("@iso:rescue"));

        Catalog *c = m_t.lab->catalog();
        QVERIFY(c->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("@iso:rescue"), {}, {}).ok());
        QSignalSpy messages(&panel, &ImagePanel::message);
        Q_EMIT targets->removeIsoRequested(QStringLiteral("rescue"));
        QVERIFY(!messages.isEmpty());
        QVERIFY2(messages.last().first().toString().contains(QLatin1String("in use by group demo")),
            qPrintable(messages.last().first().toString()));
        QVERIFY(c->assign(TargetKind::Group, QStringLiteral("demo"), QStringLiteral("@local-disk"), {}, {}).ok());
        Q_EMIT targets->removeIsoRequested(QStringLiteral("rescue"));
        QVERIFY(c->isos().isEmpty());
        QTRY_COMPARE(targets->count(), 3);
    }

    void verifyFindsCorruption()
    {
        const Manifest m = makeImage(m_t.lab->storeDir(), QStringLiteral("4"), 4096);
        QVERIFY(publishImage(ImageStore(m_t.lab->storeDir()), *m_t.lab->catalog(), m).ok());
        QFile blob(ImageStore(m_t.lab->storeDir()).blobs().blobPath(m.layers.first().digest));
        QVERIFY(blob.open(QIODevice::ReadWrite));
        blob.seek(100);
        blob.write("X");
        blob.close();
        ImageModel model(m_t.lab->catalog());
        ImagePanel panel(m_t.lab.get(), &model);
        QSignalSpy messages(&panel, &ImagePanel::message);
        QSignalSpy finished(&panel, &ImagePanel::taskFinished);
        panel.verifySelected(); // nothing selected: all images
        QVERIFY(finished.wait(60000));
        QTRY_VERIFY(!messages.isEmpty());
        QVERIFY2(messages.last().first().toString().contains(QLatin1String("corrupt")),
            qPrintable(messages.last().first().toString()));
    }
};

QTEST_MAIN(TstImagePanel)
#include "tst_imagepanel.moc"
