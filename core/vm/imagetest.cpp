#include "vm/imagetest.h"

#include "boot/secureboot.h"

#include "boot/http/httpbootserver.h"
#include "catalog/catalog.h"
#include "lab/lab.h"
#include "vm/virtuallab.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageTest)
};

const QString kRecordPrefix = QStringLiteral("imagetest/");

QString recordKey(const Catalog &catalog, const QString &image)
{
    const auto record = catalog.imageByTag(image);
    return record ? kRecordPrefix + record->manifestDigest : QString();
}

std::optional<ImageTestRecord> parseRecord(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    if (!o.contains(QStringLiteral("passed")))
        return std::nullopt;
    return ImageTestRecord { o.value(QStringLiteral("passed")).toBool(), o.value(QStringLiteral("seconds")).toDouble(),
        o.value(QStringLiteral("reason")).toString(),
        QDateTime::fromMSecsSinceEpoch(o.value(QStringLiteral("at")).toInteger()),
        o.value(QStringLiteral("uefi")).toBool() };
}

} // namespace

std::optional<ImageTestRecord> lastImageTest(const Catalog &catalog, const QString &image)
{
    const QString key = recordKey(catalog, image);
    return key.isEmpty() ? std::nullopt : parseRecord(catalog.setting(key));
}

QHash<QString, ImageTestRecord> imageTestsByDigest(const Catalog &catalog)
{
    QHash<QString, ImageTestRecord> tests;
    const auto stored = catalog.settings(kRecordPrefix);
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        if (auto record = parseRecord(it.value()))
            tests.insert(it.key().mid(kRecordPrefix.size()), *record);
    }
    return tests;
}

Status recordImageTest(Catalog &catalog, const ImageTestResult &result)
{
    const QString key = recordKey(catalog, result.image);
    if (key.isEmpty())
        return Status::failure(Text::tr("there is no image %1 in the catalog").arg(result.image));
    const QJsonObject o { { QStringLiteral("passed"), result.passed }, { QStringLiteral("seconds"), result.seconds },
        { QStringLiteral("reason"), result.reason }, { QStringLiteral("at"), QDateTime::currentMSecsSinceEpoch() },
        { QStringLiteral("uefi"), result.uefi } };
    return catalog.setSetting(key, QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
}

ImageTest::ImageTest(Lab *lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
{
    connect(&m_poll, &QTimer::timeout, this, &ImageTest::poll);
}

ImageTest::~ImageTest()
{
    cleanUp();
}

bool ImageTest::start(const QString &image, bool uefi, int timeoutSeconds, QString *error)
{
    Catalog *catalog = m_lab->catalog();
    if (!catalog->imageByTag(image)) {
        *error = Text::tr("there is no image %1 in the catalog").arg(image);
        return false;
    }
    m_image = image;
    m_uefi = uefi || m_secureBoot;
    if (m_secureBoot) {
        if (const QString why = unsignedKernelRefusal(m_lab->storeDir(), image, { Text::tr("the test VM") });
            !why.isEmpty()) {
            *error = why;
            return false;
        }
    }
    m_timeoutSeconds = qMax(10, timeoutSeconds);
    // A machine of its own, known to nobody else: a random locally administered MAC.
    const quint32 r = QRandomGenerator::global()->generate();
    Machine m;
    m.mac = QStringLiteral("52:54:00:%1:%2:%3")
                .arg((r >> 16) & 0xff, 2, 16, QLatin1Char('0'))
                .arg((r >> 8) & 0xff, 2, 16, QLatin1Char('0'))
                .arg(r & 0xff, 2, 16, QLatin1Char('0'));
    m.name = QStringLiteral("imagetest-%1").arg(r & 0xffffff, 6, 16, QLatin1Char('0'));
    m.vendor = Text::tr("image test (qemu)");
    if (auto added = catalog->addMachine(m); !added) {
        *error = added.error();
        return false;
    }
    m_machine = m.name;
    if (auto a = catalog->assign(TargetKind::Machine, m.name, image, QStringLiteral("drover"), Text::tr("image test"));
        !a) {
        *error = a.error();
        cleanUp();
        return false;
    }
    m_http = new HttpBootServer(m_lab, this);
    HttpBootSettings settings;
    settings.port = 0;
    settings.address = QHostAddress::LocalHost;
    if (Status s = m_http->start(settings); !s) {
        *error = s.error();
        cleanUp();
        return false;
    }
    // qemu's user network connects from loopback: the VM's boot session is bound there.
    m_http->bindAddress(m.mac, QHostAddress(QHostAddress::LocalHost));
    QDir().mkpath(m_lab->dataDir() + QStringLiteral("/vms"));
    m_base = m_lab->dataDir() + QStringLiteral("/vms/") + m.name;
    m_vm
        = startVmProcess(VmSpec { m.name, m_uefi, 1536, {}, m_secureBoot }, m.mac, m_base, m_http->port(), this, error);
    if (!m_vm) {
        cleanUp();
        return false;
    }
    connect(m_vm, &QProcess::finished, this, [this](int code) {
        if (!m_done)
            finish(false, Text::tr("qemu exited with status %1 before the verdict").arg(code), false);
    });
    m_clock.start();
    m_poll.start(1000);
    Q_EMIT progress(Text::tr("%1 boots %2").arg(m.name, image));
    return true;
}

void ImageTest::cancel()
{
    if (!m_done)
        finish(false, Text::tr("cancelled"), false);
}

void ImageTest::poll()
{
    if (m_done)
        return;
    const auto events = m_lab->catalog()->events(EventFilter { m_machine, {}, 0, 200 });
    for (const BootEvent &e : events) {
        if (e.phase == QLatin1String("ready") && e.image == m_image)
            return finish(true, e.detail);
        if (e.phase == QLatin1String("failed"))
            return finish(false, e.detail);
    }
    if (!events.isEmpty() && events.last().phase != m_lastPhase) {
        m_lastPhase = events.last().phase;
        Q_EMIT progress(m_lastPhase);
    }
    if (m_clock.elapsed() > qint64(m_timeoutSeconds) * 1000)
        finish(false,
            Text::tr("%1 did not reach ready within %2 s (last phase: %3)")
                .arg(m_image)
                .arg(m_timeoutSeconds)
                .arg(m_lastPhase.isEmpty() ? Text::tr("none") : m_lastPhase));
}

void ImageTest::finish(bool passed, const QString &reason, bool verdict)
{
    m_done = true;
    m_poll.stop();
    ImageTestResult result { passed, m_image, double(m_clock.elapsed()) / 1000.0, reason, {}, verdict, m_uefi };
    if (verdict) {
        if (Status s = recordImageTest(*m_lab->catalog(), result); !s)
            result.reason += Text::tr(" (not recorded: %1)").arg(s.error());
    }
    QFile console(m_base + QStringLiteral(".log"));
    if (console.open(QIODevice::ReadOnly)) {
        console.seek(qMax<qint64>(0, console.size() - 2000));
        result.console = QString::fromUtf8(console.readAll());
    }
    cleanUp();
    Q_EMIT finished(result);
}

void ImageTest::cleanUp()
{
    if (m_vm) {
        m_vm->disconnect(this);
        m_vm->kill();
        m_vm->waitForFinished(5000);
        delete m_vm;
        m_vm = nullptr;
    }
    if (m_http) {
        m_http->stop();
        delete m_http;
        m_http = nullptr;
    }
    if (!m_machine.isEmpty()) {
        (void)m_lab->catalog()->removeMachine(m_machine);
        for (const QString &suffix : { QStringLiteral(".log"), QStringLiteral(".qmp"), QStringLiteral(".vars.fd") })
            QFile::remove(m_base + suffix);
        QDir(m_base + QStringLiteral(".tftp")).removeRecursively(); // a UEFI VM's ipxe.efi and autoexec.ipxe
        m_machine.clear();
    }
}

} // namespace drover
