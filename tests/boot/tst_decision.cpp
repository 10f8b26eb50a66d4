// The boot decision on both catalog backends: machine, group and default assignments, the
// unknown-machine policies, images missing from the store, and last-known-good after failed
// boots. Each row builds a small lab and asks BootDecider what one MAC boots.
#include "boot/bootdecision.h"
#include "boot/bootindex.h"
#include "boot/bootwatch.h"
#include "boot/oui.h"
#include "catalog/boottarget.h"
#include "catalog/catalog.h"
#include "store/blobstore.h"
#include "testlab.h"
#include "tst_http_support.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace drover;
using namespace drover::test;

namespace {

const QString kKnownMac = QStringLiteral("52:54:00:12:34:01");
const QString kGroupMac = QStringLiteral("52:54:00:12:34:02");
const QString kLoneMac = QStringLiteral("52:54:00:12:34:03");
const QString kUnknownMac = QStringLiteral("52:54:00:ab:cd:ef");
const QString kUuid = QStringLiteral("4c4c4544-0042-3010-8056-b4c04f4e4d31");

} // namespace

class TstDecision : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void decide_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("mac");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("reason"); // a substring of the reason; empty: reason empty
        QTest::addColumn<bool>("registered");

        const int boot = int(BootDecision::Outcome::Boot);
        const int wait = int(BootDecision::Outcome::Wait);
        const int ignore = int(BootDecision::Outcome::Ignore);
        const int target = int(BootDecision::Outcome::Target);
        for (const QString &backend : { QStringLiteral("sqlite"), QStringLiteral("postgresql") }) {
            auto row = [&](const char *name) {
                return &(QTest::newRow(qPrintable(backend + QLatin1Char('/') + QLatin1String(name))) << backend);
            };
            *row("machine assignment wins") << "all" << kKnownMac << boot << "os:1" << "" << false;
            *row("group assignment") << "all" << kGroupMac << boot << "os:2" << "" << false;
            *row("default assignment") << "all" << kLoneMac << boot << "os:3" << "" << false;
            *row("no assignment anywhere") << "none" << kLoneMac << wait << "" << "no image is assigned" << false;
            *row("found by uuid") << "uuid" << QStringLiteral("52:54:00:99:99:99") << boot << "os:1" << "" << false;
            *row("mac in another form") << "all" << QStringLiteral("52-54-00-12-34-01") << boot << "os:1" << ""
                                        << false;
            *row("not a mac") << "all" << QStringLiteral("52:54:00:zz") << ignore << "" << "not a MAC" << false;
            *row("unknown, ignore") << "ignore" << kUnknownMac << ignore << "" << "not managed" << false;
            *row("unknown, register") << "register" << kUnknownMac << wait << "" << "registered as new-525400abcdef"
                                      << true;
            *row("unknown, register and boot") << "boot" << kUnknownMac << boot << "os:3" << "" << true;
            *row("registered earlier waits for an admin")
                << "registered-earlier" << kUnknownMac << wait << "" << "waits for an admin" << false;
            // The staging image for new machines (inventory, burn-in) under "register".
            *row("unknown, register, staging image") << "register-staging" << kUnknownMac << boot << "os:2"
                                                     << "the image for new machines" << true;
            *row("registered earlier boots the staging image") << "registered-earlier-staging" << kUnknownMac << boot
                                                               << "os:2" << "the image for new machines" << false;
            *row("a new machine's own assignment outranks the staging image")
                << "registered-earlier-staging-assigned" << kUnknownMac << boot << "os:1" << "" << false;
            *row("a staging image the catalog lacks: wait") << "register-staging-gone" << kUnknownMac << wait << ""
                                                            << "registered as new-525400abcdef" << true;
            *row("image missing from the store") << "missing-blob" << kKnownMac << wait << "os:1"
                                                 << "missing from the store" << false;
            *row("last-known-good after 2 failures") << "failed-twice" << kKnownMac << boot << "os:2"
                                                     << "last-known-good image os:2" << false;
            *row("one failure keeps the assignment") << "failed-once" << kKnownMac << boot << "os:1" << "" << false;
            *row("last-known-good is the assigned image: retry with backoff")
                << "failed-good-same" << kKnownMac << boot << "os:1" << "trying os:1 again in 30 s" << false;
            *row("no last-known-good: backoff doubles") << "failed-no-good" << kKnownMac << boot << "os:1"
                                                        << "trying os:1 again in 60 s" << false;
            // Boot targets: decided like images, handed over as they are.
            *row("machine sent to its local disk")
                << "target-machine" << kKnownMac << target << "@local-disk" << "" << false;
            *row("group sent to memtest") << "target-group" << kGroupMac << target << "@memtest" << "" << false;
            *row("a machine's own image outranks its group's target")
                << "target-group" << kKnownMac << boot << "os:1" << "" << false;
            *row("failed boots do not turn a target into an image")
                << "target-failed" << kKnownMac << target << "@local-disk" << "" << false;
        }
    }

    void decide()
    {
        QFETCH(QString, backend);
        QFETCH(QString, scenario);
        QFETCH(QString, mac);
        QFETCH(int, outcome);
        QFETCH(QString, image);
        QFETCH(QString, reason);
        QFETCH(bool, registered);

        QString why;
        TestLab t = openTestLab(backend, &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QList<TestImage> images;
        for (int i = 1; i <= 3; ++i) {
            auto img = addTestImage(t.lab.get(), QStringLiteral("os"), QString::number(i));
            QVERIFY2(img.ok(), qPrintable(img.error()));
            images.append(img.value());
        }
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), kKnownMac, QStringLiteral("lab"))).ok());
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-02"), kGroupMac, QStringLiteral("lab"))).ok());
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-03"), kLoneMac)).ok());
        const QString who = QStringLiteral("test");
        if (scenario != QLatin1String("none")) {
            QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("os:1"), who, {}).ok());
            QVERIFY(c->assign(TargetKind::Group, QStringLiteral("lab"), QStringLiteral("os:2"), who, {}).ok());
            QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("os:3"), who, {}).ok());
        }
        if (scenario == QLatin1String("target-machine") || scenario == QLatin1String("target-failed"))
            QVERIFY(
                c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("@local-disk"), who, {}).ok());
        if (scenario == QLatin1String("target-group"))
            QVERIFY(c->assign(TargetKind::Group, QStringLiteral("lab"), QStringLiteral("@memtest"), who, {}).ok());
        if (scenario == QLatin1String("target-failed")) {
            QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), QStringLiteral("os:2"), true).ok());
            for (int i = 0; i < 3; ++i)
                QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), QStringLiteral("os:1"), false).ok());
        }
        if (scenario == QLatin1String("uuid")) {
            Machine m = *c->machineByName(QStringLiteral("pc-01"));
            m.uuid = kUuid;
            QVERIFY(c->updateMachine(m).ok());
        }
        if (scenario == QLatin1String("ignore") || scenario == QLatin1String("register")
            || scenario == QLatin1String("boot"))
            QVERIFY(c->setSetting(QStringLiteral("boot/unknown"), scenario).ok());
        if (scenario.startsWith(QLatin1String("register-staging")))
            QVERIFY(c->setSetting(QStringLiteral("boot/unknown"), QStringLiteral("register")).ok());
        if (scenario.contains(QLatin1String("staging")))
            QVERIFY(
                c->setSetting(kNewMachineImageSetting,
                     scenario.endsWith(QLatin1String("-gone")) ? QStringLiteral("gone:1") : QStringLiteral("os:2"))
                    .ok());
        if (scenario.startsWith(QLatin1String("registered-earlier"))) {
            QVERIFY(c->setSetting(QStringLiteral("boot/unknown"), QStringLiteral("register")).ok());
            Machine m = testMachine(QStringLiteral("new-525400abcdef"), kUnknownMac);
            m.isNew = true;
            QVERIFY(c->addMachine(m).ok());
            if (scenario.endsWith(QLatin1String("-assigned")))
                QVERIFY(c->assign(TargetKind::Machine, m.name, QStringLiteral("os:1"), who, {}).ok());
        }
        if (scenario == QLatin1String("missing-blob")) {
            const QString path
                = t.lab->storeDir() + QStringLiteral("/blobs/sha256/") + images[0].manifest.initrd.digest.hex();
            QVERIFY(QFile::remove(path));
        }
        if (scenario.startsWith(QLatin1String("failed"))) {
            const QString good
                = scenario == QLatin1String("failed-good-same") ? QStringLiteral("os:1") : QStringLiteral("os:2");
            if (scenario != QLatin1String("failed-no-good"))
                QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), good, true).ok());
            const int failures = scenario == QLatin1String("failed-once") ? 1
                : scenario == QLatin1String("failed-no-good")             ? 3
                                                                          : 2;
            for (int i = 0; i < failures; ++i)
                QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), QStringLiteral("os:1"), false).ok());
            QCOMPARE(c->machineByName(QStringLiteral("pc-01"))->failedAttempts, failures);
        }

        BootIndex index(c);
        QVERIFY(index.refresh().ok());
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        const BootDecision d
            = decider.decide(BootRequest { mac, scenario == QLatin1String("uuid") ? kUuid.toUpper() : QString(),
                QStringLiteral("x86_64"), QStringLiteral("SN 1"), QHostAddress::LocalHost });

        QCOMPARE(int(d.outcome), outcome);
        QCOMPARE(d.image, image);
        if (reason.isEmpty())
            QVERIFY2(d.reason.isEmpty(), qPrintable(d.reason));
        else
            QVERIFY2(d.reason.contains(reason), qPrintable(d.reason));
        QCOMPARE(d.registered, registered);
        // Only a machine with nothing better to boot waits before it tries again.
        QCOMPARE(d.delaySeconds > 0, reason.contains(QLatin1String("again in")));
        QCOMPARE(d.target.has_value(), outcome == int(BootDecision::Outcome::Target));
        if (d.target) {
            QCOMPARE(d.target->stored(), image);
            QVERIFY(d.bootId.isEmpty() && d.token.isEmpty()); // nothing reports back from a target
        }
        if (d.boots()) {
            const TestImage &expected = images.at(image.section(QLatin1Char(':'), 1).toInt() - 1);
            QCOMPARE(d.manifest.kernel.digest, expected.manifest.kernel.digest);
            QCOMPARE(d.manifestDigest.toString(), expected.record.manifestDigest);
            QVERIFY(BootTokens::isBootId(d.bootId));
            QVERIFY(BootTokens::isToken(d.token));
            QCOMPARE(decider.tokens().check(d.bootId, d.mac, d.token), BootTokens::Check::Valid);
            QCOMPARE(decider.roleOf(expected.manifest.initrd.digest)->role, QStringLiteral("initrd"));
            // The snapshot resolves exactly as the catalog does.
            const auto viaCatalog = c->effectiveAssignment(*c->machineByName(d.machine->name));
            const auto viaSnapshot = index.snapshot()->effectiveAssignment(*d.machine);
            if (!registered) {
                QVERIFY(viaCatalog && viaSnapshot);
                QCOMPARE(viaSnapshot->image, viaCatalog->image);
            }
        }
        const auto unknown = c->machineByMac(kUnknownMac);
        if (registered) {
            QVERIFY(unknown);
            QCOMPARE(unknown->name, QStringLiteral("new-525400abcdef"));
            QVERIFY(unknown->isNew);
            QCOMPARE(unknown->vendor, QStringLiteral("QEMU virtual NIC"));
            QCOMPARE(unknown->serial, QStringLiteral("SN 1"));
            // Asking again finds it: no second registration.
            const BootDecision again = decider.decide(BootRequest { mac, {}, {}, {}, QHostAddress::LocalHost });
            QVERIFY(!again.registered);
            QCOMPARE(c->machines().size(), 4);
        } else if (!scenario.startsWith(QLatin1String("registered-earlier"))) {
            QVERIFY(!unknown);
        }
    }

    // Targets are stored where an image tag goes; anything else after '@' is refused, and a
    // target "booted" is current without ever becoming the last-known-good image.
    void targetsInTheCatalog()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(addTestImage(t.lab.get(), QStringLiteral("os"), QStringLiteral("1")).ok());
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), kKnownMac, QStringLiteral("lab"))).ok());
        const auto bogus = c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("@floppy"), {}, {});
        QVERIFY(!bogus);
        QVERIFY2(bogus.error().contains(QStringLiteral("no boot target 'floppy'"))
                && bogus.error().contains(QStringLiteral("local-disk, memtest, menu")),
            qPrintable(bogus.error()));
        QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), QStringLiteral("os:1"), true).ok());
        QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), QStringLiteral("os:1"), false).ok());
        QVERIFY(c->recordBootResult(QStringLiteral("pc-01"), QStringLiteral("@memtest"), true).ok());
        const Machine m = *c->machineByName(QStringLiteral("pc-01"));
        QCOMPARE(m.currentImage, QStringLiteral("@memtest"));
        QCOMPARE(m.lastGoodImage, QStringLiteral("os:1"));
        QCOMPARE(m.failedAttempts, 0);
        QCOMPARE(describeAssigned(m.currentImage), QStringLiteral("Memory test (memtest86+)"));
        QCOMPARE(describeAssigned(QStringLiteral("os:1")), QStringLiteral("os:1"));
        QVERIFY(!BootTarget::fromStored(QStringLiteral("local-disk"))); // only with the marker
    }

    // The menu: the image below it, the local disk, memtest unless secure boot is on; a
    // choice it offers continues the decision with that entry, one it does not is refused.
    void bootMenu_data()
    {
        QTest::addColumn<QString>("level"); // where the menu is assigned
        QTest::addColumn<QString>("secureBoot");
        QTest::addColumn<QString>("choice");
        QTest::addColumn<QStringList>("entries"); // stored forms; empty when a choice was sent
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("image");
        const int target = int(BootDecision::Outcome::Target);
        const int boot = int(BootDecision::Outcome::Boot);
        const int wait = int(BootDecision::Outcome::Wait);
        QTest::newRow("machine's menu offers its group's image")
            << "machine" << "" << ""
            << QStringList { QStringLiteral("os:2"), QStringLiteral("@local-disk"), QStringLiteral("@memtest") }
            << target << "@menu";
        QTest::newRow("group's menu offers the default image")
            << "group" << "" << ""
            << QStringList { QStringLiteral("os:3"), QStringLiteral("@local-disk"), QStringLiteral("@memtest") }
            << target << "@menu";
        QTest::newRow("default's menu: no image below")
            << "default" << "" << "" << QStringList { QStringLiteral("@local-disk"), QStringLiteral("@memtest") }
            << target << "@menu";
        QTest::newRow("secure boot on: no memtest")
            << "machine" << "on" << "" << QStringList { QStringLiteral("os:2"), QStringLiteral("@local-disk") }
            << target << "@menu";
        QTest::newRow("image chosen: it boots") << "machine" << "" << "image" << QStringList() << boot << "os:2";
        QTest::newRow("local disk chosen")
            << "machine" << "" << "local-disk" << QStringList() << target << "@local-disk";
        QTest::newRow("memtest chosen where secure boot is on: refused")
            << "machine" << "on" << "memtest" << QStringList() << wait << "@menu";
        QTest::newRow("a choice no menu offers") << "machine" << "" << "shell" << QStringList() << wait << "@menu";
    }

    void bootMenu()
    {
        QFETCH(QString, level);
        QFETCH(QString, secureBoot);
        QFETCH(QString, choice);
        QFETCH(QStringList, entries);
        QFETCH(int, outcome);
        QFETCH(QString, image);
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        for (int i = 1; i <= 3; ++i)
            QVERIFY(addTestImage(t.lab.get(), QStringLiteral("os"), QString::number(i)).ok());
        // A menu at each level, with images at the levels below it.
        const bool byDefault = level == QLatin1String("default");
        QVERIFY(
            c->addMachine(
                 testMachine(QStringLiteral("pc-01"), kKnownMac, byDefault ? QString() : QStringLiteral("lab")))
                .ok());
        const QString menu = QStringLiteral("@menu");
        if (level == QLatin1String("machine"))
            QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), menu, {}, {}).ok());
        if (!byDefault)
            QVERIFY(
                c->assign(TargetKind::Group, QStringLiteral("lab"),
                     level == QLatin1String("group") ? menu : QStringLiteral("os:2"), {}, {})
                    .ok());
        QVERIFY(c->assign(TargetKind::Default, {}, byDefault ? menu : QStringLiteral("os:3"), {}, {}).ok());
        if (!secureBoot.isEmpty())
            QVERIFY(c->setSetting(QStringLiteral("secureboot/machine/pc-01"), secureBoot).ok());
        if (byDefault)
            QVERIFY(c->setSetting(QStringLiteral("boot/menu-timeout"), QStringLiteral("4")).ok());

        BootIndex index(c);
        QVERIFY(index.refresh().ok());
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        BootRequest request { kKnownMac, {}, QStringLiteral("x86_64"), {}, QHostAddress::LocalHost };
        request.choice = choice;
        const BootDecision d = decider.decide(request);
        QCOMPARE(int(d.outcome), outcome);
        QCOMPARE(d.image, image);
        QStringList offered;
        for (const MenuEntry &e : d.menu)
            offered.append(e.stored);
        QCOMPARE(offered, entries);
        if (!entries.isEmpty())
            QCOMPARE(d.menuTimeoutSeconds, byDefault ? 4 : kDefaultMenuTimeoutSeconds);
        if (outcome == int(BootDecision::Outcome::Boot)) {
            QVERIFY(BootTokens::isToken(d.token));
            QCOMPARE(d.reason, QStringLiteral("chosen from the boot menu"));
        }
        if (outcome == int(BootDecision::Outcome::Wait))
            QVERIFY2(d.reason.contains(QStringLiteral("has no entry '%1'").arg(choice)), qPrintable(d.reason));
    }

    // An ISO target: its name parsed and checked, assigned only when the catalog has it,
    // handed out with its blob's digest while the store has the bytes, offered by the menu,
    // and kept while in use.
    void isoTargets()
    {
        QCOMPARE(BootTarget::fromKey(QStringLiteral("iso:rescue-1.2_x"))->iso, QStringLiteral("rescue-1.2_x"));
        QCOMPARE(BootTarget::forIso(QStringLiteral("rescue")).stored(), QStringLiteral("@iso:rescue"));
        for (const char *bad : { "iso:", "iso:-x", "iso:a b", "iso:a/b", "iso:x;reboot", "iso:${x}" })
            QVERIFY2(!BootTarget::fromKey(QLatin1String(bad)), bad);
        QVERIFY(!BootTarget::fromKey(QStringLiteral("iso:") + QString(65, QLatin1Char('a'))));
        QVERIFY(!isoNameError(QStringLiteral("../etc")).isEmpty());

        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), kKnownMac)).ok());
        const QString target = QStringLiteral("@iso:rescue");
        auto missing = c->assign(TargetKind::Machine, QStringLiteral("pc-01"), target, {}, {});
        QVERIFY(!missing);
        QVERIFY2(missing.error().contains(QStringLiteral("no ISO named rescue")), qPrintable(missing.error()));

        auto blob = BlobStore(t.lab->storeDir()).putBytes(QByteArray("an ISO's bytes"));
        QVERIFY(blob.ok());
        IsoRecord iso { QStringLiteral("rescue"), blob->digest.toString(), blob->size, {}, QStringLiteral("t") };
        QVERIFY(c->addIso(iso).ok());
        QVERIFY(c->addIso(iso).ok()); // the same bytes again: harmless
        IsoRecord other = iso;
        other.digest = QStringLiteral("sha256:") + QString(64, QLatin1Char('0'));
        auto moved = c->addIso(other);
        QVERIFY(!moved);
        QVERIFY2(
            moved.error().contains(QStringLiteral("exists already with other content")), qPrintable(moved.error()));
        other.name = QStringLiteral("a b");
        QVERIFY(!c->addIso(other));
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), target, {}, {}).ok());
        QCOMPARE(describeAssigned(target), QStringLiteral("ISO rescue"));
        auto inUse = c->removeIso(QStringLiteral("rescue"));
        QVERIFY(!inUse);
        QVERIFY2(inUse.error().contains(QStringLiteral("in use by machine pc-01")), qPrintable(inUse.error()));

        BootIndex index(c);
        QVERIFY(index.refresh().ok());
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        const BootRequest request { kKnownMac, {}, QStringLiteral("x86_64"), {}, QHostAddress::LocalHost };
        BootDecision d = decider.decide(request);
        QCOMPARE(int(d.outcome), int(BootDecision::Outcome::Target));
        QCOMPARE(d.target->iso, QStringLiteral("rescue"));
        QCOMPARE(d.isoDigest, blob->digest.toString());

        // The menu lists it, and choosing it sends the machine there.
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("@menu"), {}, {}).ok());
        QVERIFY(index.refresh().ok());
        d = decider.decide(request);
        QStringList offered;
        for (const MenuEntry &e : d.menu)
            offered.append(e.key);
        QCOMPARE(offered,
            (QStringList { QStringLiteral("local-disk"), QStringLiteral("memtest"), QStringLiteral("iso:rescue") }));
        BootRequest chose = request;
        chose.choice = QStringLiteral("iso:rescue");
        d = decider.decide(chose);
        QCOMPARE(int(d.outcome), int(BootDecision::Outcome::Target));
        QCOMPARE(d.isoDigest, blob->digest.toString());

        // Bytes gone from this store (another Drover's store, a gc by hand): it waits, and says why.
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), target, {}, {}).ok());
        QVERIFY(index.refresh().ok());
        QVERIFY(QFile::remove(BlobStore(t.lab->storeDir()).blobPath(blob->digest)));
        d = decider.decide(request);
        QCOMPARE(int(d.outcome), int(BootDecision::Outcome::Wait));
        QVERIFY2(d.reason.contains(QStringLiteral("is not in this server's store")), qPrintable(d.reason));

        // Free again once nothing uses it.
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("@local-disk"), {}, {}).ok());
        QVERIFY(c->removeIso(QStringLiteral("rescue")).ok());
        QVERIFY(c->isos().isEmpty());
        QVERIFY(!c->removeIso(QStringLiteral("rescue")));
    }

    void kernelArgsFromCatalog()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(addTestImage(t.lab.get(), QStringLiteral("os"), QStringLiteral("1"), QStringLiteral("quiet")).ok());
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), kKnownMac, QStringLiteral("lab"))).ok());
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("os:1"), QStringLiteral("t"), {}).ok());
        QVERIFY(c->setSetting(QStringLiteral("kernelargs/group/lab"), QStringLiteral("console=ttyS0")).ok());
        QVERIFY(c->setSetting(QStringLiteral("kernelargs/machine/pc-01"), QStringLiteral("drover.debug=1")).ok());
        QVERIFY(c->setSetting(QStringLiteral("kernelargs/machine/pc-0"), QStringLiteral("wrong")).ok());
        BootIndex index(c);
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        const BootDecision d = decider.decide(BootRequest { kKnownMac, {}, {}, {}, {} });
        QVERIFY2(d.boots(), qPrintable(d.reason));
        QCOMPARE(d.manifest.kernelArgs, QStringLiteral("quiet"));
        QCOMPARE(d.groupArgs, QStringLiteral("console=ttyS0"));
        QCOMPARE(d.machineArgs, QStringLiteral("drover.debug=1"));
    }

    void indexFollowsCatalog()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(addTestImage(t.lab.get(), QStringLiteral("os"), QStringLiteral("1")).ok());
        QVERIFY(addTestImage(t.lab.get(), QStringLiteral("os"), QStringLiteral("2")).ok());
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-01"), kKnownMac)).ok());
        QVERIFY(c->assign(TargetKind::Default, {}, QStringLiteral("os:1"), QStringLiteral("t"), {}).ok());
        BootIndex index(c);
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        QCOMPARE(decider.decide(BootRequest { kKnownMac, {}, {}, {}, {} }).image, QStringLiteral("os:1"));
        // An admin assigns another image: the snapshot follows within a moment, off this thread.
        QSignalSpy reloaded(&index, &BootIndex::reloaded);
        QVERIFY(c->assign(TargetKind::Machine, QStringLiteral("pc-01"), QStringLiteral("os:2"), QStringLiteral("t"), {})
                .ok());
        // The reload runs on the index's thread: it may be over before anyone waits for it.
        QTRY_VERIFY_WITH_TIMEOUT(!reloaded.isEmpty(), 3000);
        QCOMPARE(reloaded.first().at(0).toInt(), 1);
        QCOMPARE(decider.decide(BootRequest { kKnownMac, {}, {}, {}, {} }).image, QStringLiteral("os:2"));
        // A machine added a moment ago is known at once, before any reload.
        QVERIFY(c->addMachine(testMachine(QStringLiteral("pc-02"), kLoneMac)).ok());
        const BootDecision fresh = decider.decide(BootRequest { kLoneMac, {}, {}, {}, {} });
        QCOMPARE(fresh.machine->name, QStringLiteral("pc-02"));
        QVERIFY(!fresh.registered);
    }

    void registrationLimit()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        QVERIFY(c->setSetting(QStringLiteral("boot/unknown"), QStringLiteral("register")).ok());
        BootIndex index(c);
        BootDecider decider(c, &index, t.lab->storeDir(), QByteArray(32, 's'));
        decider.setRegistrationLimit(3);
        int registered = 0;
        for (int i = 0; i < 6; ++i) {
            const BootDecision d = decider.decide(
                BootRequest { QStringLiteral("02:00:00:00:00:%1").arg(i, 2, 10, QLatin1Char('0')), {}, {}, {}, {} });
            registered += d.registered ? 1 : 0;
            if (i >= 3)
                QVERIFY2(d.reason.contains(QLatin1String("too many new machines")), qPrintable(d.reason));
        }
        QCOMPARE(registered, 3);
        QCOMPARE(c->machines().size(), 3);
    }

    void tokens_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<int>("expected");
        QTest::newRow("as issued") << "" << int(BootTokens::Check::Valid);
        QTest::newRow("other mac") << "mac" << int(BootTokens::Check::Forged);
        QTest::newRow("other token") << "token" << int(BootTokens::Check::Forged);
        QTest::newRow("other secret") << "secret" << int(BootTokens::Check::Forged);
        QTest::newRow("two days old") << "old" << int(BootTokens::Check::Expired);
        QTest::newRow("upper-case token") << "upper" << int(BootTokens::Check::Malformed);
        QTest::newRow("short boot id") << "short" << int(BootTokens::Check::Malformed);
    }

    void tokens()
    {
        QFETCH(QString, change);
        QFETCH(int, expected);
        BootTokens tokens(QByteArray(32, 'a'));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const auto issued = tokens.issue(kKnownMac, change == QLatin1String("old") ? now.addDays(-2) : now);
        QString mac = change == QLatin1String("mac") ? kLoneMac : kKnownMac;
        QString token = issued.token;
        if (change == QLatin1String("token"))
            token[0] = token[0] == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
        if (change == QLatin1String("upper"))
            token = token.toUpper().replace(0, 1, QStringLiteral("A"));
        const QString bootId = change == QLatin1String("short") ? issued.bootId.left(15) : issued.bootId;
        const BootTokens checker(change == QLatin1String("secret") ? QByteArray(32, 'b') : QByteArray(32, 'a'));
        QCOMPARE(int(checker.check(bootId, mac, token, now)), expected);
    }

    void secretPersists()
    {
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        auto first = BootTokens::loadOrCreateSecret(t.lab->catalog(), t.lab->dataDir());
        auto second = BootTokens::loadOrCreateSecret(t.lab->catalog(), t.lab->dataDir());
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(first.value().size(), 32);
        QCOMPARE(first.value(), second.value());
    }

    void vendors_data()
    {
        QTest::addColumn<QString>("mac");
        QTest::addColumn<QString>("vendor");
        QTest::newRow("qemu") << "52:54:00:12:34:56" << "QEMU virtual NIC";
        QTest::newRow("virtualbox") << "08-00-27-aa-bb-cc" << "VirtualBox virtual NIC";
        QTest::newRow("dell") << "F8:BC:12:00:00:01" << "Dell";
        QTest::newRow("intel") << "a0369f000001" << "Intel";
        QTest::newRow("raspberry pi") << "dc:a6:32:01:02:03" << "Raspberry Pi";
        QTest::newRow("unknown prefix") << "02:00:00:00:00:01" << "";
        QTest::newRow("not a mac") << "hello" << "";
    }

    void vendors()
    {
        QFETCH(QString, mac);
        QFETCH(QString, vendor);
        QCOMPARE(vendorForMac(mac), vendor);
    }

    void deadline_data()
    {
        QTest::addColumn<QString>("all"); // boot/deadline; empty: unset
        QTest::addColumn<QString>("group"); // deadline/group/lab
        QTest::addColumn<int>("expected");
        QTest::newRow("default 10 min") << "" << "" << kDefaultBootDeadlineSeconds;
        QTest::newRow("site-wide") << "300" << "" << 300;
        QTest::newRow("the group's wins") << "300" << "1200" << 1200;
        QTest::newRow("nonsense falls back") << "soon" << "-5" << kDefaultBootDeadlineSeconds;
    }

    void deadline()
    {
        QFETCH(QString, all);
        QFETCH(QString, group);
        QFETCH(int, expected);
        QString why;
        TestLab t = openTestLab(QStringLiteral("sqlite"), &why);
        QVERIFY2(t.lab, qPrintable(why));
        Catalog *c = t.lab->catalog();
        if (!all.isEmpty())
            QVERIFY(c->setSetting(QStringLiteral("boot/deadline"), all).ok());
        if (!group.isEmpty())
            QVERIFY(c->setSetting(QStringLiteral("deadline/group/lab"), group).ok());
        BootIndex index(c);
        QVERIFY(index.refresh().ok());
        QCOMPARE(bootDeadlineSeconds(*index.snapshot(), QStringLiteral("lab")), expected);
        // Another group gets the site-wide value.
        QCOMPARE(bootDeadlineSeconds(*index.snapshot(), QStringLiteral("other")),
            all.toInt() > 0 ? all.toInt() : kDefaultBootDeadlineSeconds);
    }
};

QTEST_GUILESS_MAIN(TstDecision)
#include "tst_decision.moc"
