// The build wizard on the offscreen platform: the shipped template fills every page; the
// package search reads a fixture of apt's lists off the GUI thread and finds packages by
// name and by description, and a ticked package lands in the recipe; the recipe validator
// blocks Next on a bad field and names it; the review JSON parses back to the same recipe;
// files dropped from a file manager and edited scripts are saved beside the recipe;
// reopening a catalog image's recipe raises its version. Real builds (root, the host's
// mirror, the .deb cache tst_buildreal shares) reach the end and publish and select the
// image, and a cancelled one publishes nothing.
#include "builder/buildwizard.h"
#include "builder/moduleclasses.h"
#include "builder/packageindex.h"
#include "builder/packagemodel.h"
#include "builder/wizardpages.h"
#include "catalog/catalog.h"
#include "images/imagepanel.h"
#include "main/mainwindow.h"
#include "testlab.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUrl>

#include <algorithm>

#include <unistd.h>

using namespace drover;
using namespace drover::test;

namespace {

QString fixtureLists()
{
    return QStringLiteral(DROVER_TEST_FIXTURES "/aptlists");
}

template <typename T> T *child(QWidget *w, const char *name)
{
    T *found = w->findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qFatal("no child %s", name);
    return found;
}

void put(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content);
}

} // namespace

class TstBuildWizard : public QObject {
    Q_OBJECT

    TestLab m_t;

    std::unique_ptr<BuildWizard> wizard()
    {
        auto w = std::make_unique<BuildWizard>(m_t.lab.get());
        w->setPackageListsDir(fixtureLists());
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get()))
            qFatal("the wizard did not show");
        return w;
    }

    // With DROVER_WIZARD_SHOTS=DIR, each page is saved as a picture (docs/images/build-wizard.png
    // is the build page of realBuild).
    static void shoot(QWidget *w, const QString &name)
    {
        if (const QString dir = qEnvironmentVariable("DROVER_WIZARD_SHOTS"); !dir.isEmpty())
            w->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
    }

    // Next until `page`, failing when a page refuses.
    static bool nextTo(BuildWizard *w, int page)
    {
        while (w->currentId() != page) {
            shoot(w, QStringLiteral("page-%1").arg(w->currentId()));
            const int before = w->currentId();
            w->next();
            if (w->currentId() == before)
                return false;
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("drover-test"));
    }

    void init() { m_t = sqliteLab(); }

    void cleanup() { m_t = TestLab(); }

    void templateFillsEveryPage()
    {
        auto w = wizard();
        QCOMPARE(w->currentId(), int(BuildWizard::Start));
        QVERIFY(w->startPage()->templateChoice()->isChecked());
        QCOMPARE(w->startPage()->templates()->currentData().toString(), QStringLiteral("debian-server"));
        QVERIFY(!w->startPage()->imageChoice()->isEnabled()); // the catalog is empty

        QVERIFY(nextTo(w.get(), BuildWizard::Base));
        QCOMPARE(child<QLineEdit>(w.get(), "name")->text(), QStringLiteral("debian-server"));
        QCOMPARE(child<QLineEdit>(w.get(), "version")->text(), QStringLiteral("1"));
        QCOMPARE(child<QComboBox>(w.get(), "suite")->currentText(), QStringLiteral("trixie"));
        QVERIFY(child<QLineEdit>(w.get(), "mirror")->text().isEmpty());

        QVERIFY(nextTo(w.get(), BuildWizard::Packages));
        const QString packages = child<QPlainTextEdit>(w.get(), "packages")->toPlainText();
        QVERIFY2(packages.contains(QStringLiteral("openssh-server")), qPrintable(packages));

        QVERIFY(nextTo(w.get(), BuildWizard::Files));
        auto *files = child<QTableWidget>(w.get(), "files");
        QStringList targets;
        for (int row = 0; row < files->rowCount(); ++row) {
            targets.append(files->item(row, 0)->text());
            if (files->item(row, 0)->text() == QLatin1String("/etc/ssh/sshd_config.d/drover.conf"))
                QCOMPARE(files->item(row, 1)->text(), QStringLiteral("0600"));
        }
        QVERIFY2(targets.contains(QStringLiteral("/etc/motd")), qPrintable(targets.join(u' ')));
        QVERIFY(targets.contains(QStringLiteral("/etc/ssh/sshd_config.d/drover.conf")));
        auto *scripts = child<QListWidget>(w.get(), "scripts");
        QCOMPARE(scripts->count(), 1);
        QCOMPARE(scripts->item(0)->text(), QStringLiteral("10-hostname.sh"));
        QVERIFY(child<QPlainTextEdit>(w.get(), "scriptText")->toPlainText().startsWith(QStringLiteral("#!")));
        QVERIFY(child<QLineEdit>(w.get(), "enableServices")->text().contains(QStringLiteral("ssh")));
        QVERIFY(child<QLineEdit>(w.get(), "disableServices")->text().contains(QStringLiteral("fstrim.timer")));
        QCOMPARE(child<QLineEdit>(w.get(), "owner")->text(), QStringLiteral("root:root"));

        QVERIFY(nextTo(w.get(), BuildWizard::Users));
        auto *users = child<QTableWidget>(w.get(), "users");
        QCOMPARE(users->rowCount(), 1);
        QCOMPARE(users->item(0, 0)->text(), QStringLiteral("lab"));
        QCOMPARE(users->item(0, 1)->text(), QStringLiteral("1000"));
        QCOMPARE(users->item(0, 2)->text(), QStringLiteral("sudo"));

        QVERIFY(nextTo(w.get(), BuildWizard::Boot));
        QCOMPARE(child<QComboBox>(w.get(), "format")->currentData().toString(), QStringLiteral("layers"));
        // The template is the reference recipe as shipped in examples/.
        const auto reference = loadRecipe(qEnvironmentVariable("DROVER_SOURCE_DIR", QStringLiteral(DROVER_SOURCE_DIR))
            + QStringLiteral("/examples/recipes/debian-server.json"));
        QVERIFY2(reference, qPrintable(reference.error()));
        QVERIFY(reference->kernelArgs.startsWith(QStringLiteral("console=")));
        QCOMPARE(child<QLineEdit>(w.get(), "kernelArgs")->text(), reference->kernelArgs);
        // The reference names the finer classes of ordinary PCs, not the broad ones.
        QVERIFY(child<QCheckBox>(w.get(), "module-usb-pc")->isChecked());
        QVERIFY(child<QCheckBox>(w.get(), "module-nic-pc")->isChecked());
        QVERIFY(!child<QCheckBox>(w.get(), "module-usb")->isChecked());
        QVERIFY(!child<QCheckBox>(w.get(), "module-sound")->isChecked());

        QVERIFY(nextTo(w.get(), BuildWizard::Review));
        QVERIFY(w->reviewPage()->isComplete());
        QCOMPARE(w->reviewPage()->issueList()->topLevelItemCount(), 0);
        QVERIFY(w->reviewPage()->jsonView()->toPlainText().contains(QStringLiteral("\"debian-server\"")));
        // The estimate comes once the lists are read; the fixture has no openssh-server
        // dependencies beyond libc6 and lacks some template packages, and says so.
        QTRY_VERIFY(w->reviewPage()->estimateLabel()->text().startsWith(QStringLiteral("Estimate")));
        QVERIFY(w->reviewPage()->estimateLabel()->text().contains(QStringLiteral("systemd-sysv")));
    }

    void packageSearch()
    {
        auto w = wizard();
        QVERIFY(nextTo(w.get(), BuildWizard::Packages));
        PackagesPage *page = w->packagesPage();
        QTRY_VERIFY(page->filter()->sourceModel()->rowCount() > 0);
        // Only the lists of the recipe's suite: bookworm's package is not offered.
        QCOMPARE(page->filter()->sourceModel()->rowCount(), 11);

        auto search = [&](const QString &text) {
            page->searchEdit()->clear();
            QTest::keyClicks(page->searchEdit(), text);
            QStringList found;
            QTest::qWait(200); // the search waits for typing to pause
            for (int row = 0; row < page->filter()->rowCount(); ++row)
                found.append(page->filter()->index(row, PackageModel::Name).data().toString());
            return found;
        };
        QCOMPARE(search(QStringLiteral("hello")), QStringList { QStringLiteral("hello") });
        QCOMPARE(search(QStringLiteral("talking cow")), QStringList { QStringLiteral("cowsay") });
        QCOMPARE(search(QStringLiteral("oldpackage")), QStringList());
        QCOMPARE(search(QStringLiteral("SSH server")), QStringList { QStringLiteral("openssh-server") });

        // Tick cowsay from the keyboard: select its row, Space.
        QCOMPARE(search(QStringLiteral("cow")), QStringList { QStringLiteral("cowsay") });
        page->table()->setFocus();
        page->table()->setCurrentIndex(page->filter()->index(0, PackageModel::Name));
        QTest::keyClick(page->table(), Qt::Key_Space);
        QCOMPARE(page->filter()->index(0, PackageModel::Name).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QVERIFY(page->packagesEdit()->toPlainText().split(u'\n').contains(QStringLiteral("cowsay")));
        // Names the lists lack are pointed out.
        page->packagesEdit()->appendPlainText(QStringLiteral("nosuch-package"));
        const QString status = page->statusLabel()->text();
        QVERIFY2(status.contains(QStringLiteral("Not in the package lists of trixie: "))
                && status.contains(QStringLiteral("nosuch-package")) && !status.contains(QStringLiteral("cowsay")),
            qPrintable(status));
        page->packagesEdit()->setPlainText(QStringLiteral("cowsay"));
        // Typed names tick their rows too, and an empty search shows what is chosen.
        page->packagesEdit()->appendPlainText(QStringLiteral("hello"));
        const QStringList chosen = search(QString());
        QVERIFY2(chosen.contains(QStringLiteral("cowsay")) && chosen.contains(QStringLiteral("hello")),
            qPrintable(chosen.join(u' ')));

        QVERIFY(nextTo(w.get(), BuildWizard::Review));
        QVERIFY(w->draft().recipe.packages.contains(QStringLiteral("cowsay")));
        QVERIFY(w->reviewPage()->jsonView()->toPlainText().contains(QStringLiteral("\"cowsay\"")));
    }

    void sizeEstimate()
    {
        const PackageIndex index
            = PackageIndex::load(fixtureLists(), QStringLiteral("trixie"), QStringLiteral("amd64"));
        QVERIFY(index.note().isEmpty());
        // Essential: base-files, dpkg, tar, perl-base, and libc6 they need.
        const SizeEstimate essential = index.estimate({}, {});
        QCOMPARE(essential.packages, 5);
        QCOMPARE(essential.installedBytes, qint64(400 + 6000 + 3000 + 10000 + 12000) * 1024);
        // cowsay's perl:any is provided by perl-base; the kernel pulls its image package.
        const SizeEstimate more = index.estimate(
            { QStringLiteral("cowsay"), QStringLiteral("linux-image-amd64"), QStringLiteral("nosuch") }, {});
        QCOMPARE(more.packages, 8);
        QCOMPARE(more.installedBytes, essential.installedBytes + qint64(90 + 13 + 400000) * 1024);
        QCOMPARE(more.unknown, QStringList { QStringLiteral("nosuch") });
        QVERIFY(more.compressedBytes > 0 && more.compressedBytes < more.installedBytes);

        const PackageIndex other = PackageIndex::load(fixtureLists(), QStringLiteral("sid"), QStringLiteral("amd64"));
        QVERIFY(!other.note().isEmpty()); // no sid lists: everything, with a warning
        QVERIFY(other.find(QStringLiteral("oldpackage")));
        const PackageIndex none = PackageIndex::load(QStringLiteral("/nonexistent"), QStringLiteral("trixie"), {});
        QVERIFY(none.isEmpty());
        QVERIFY(!none.note().isEmpty());
    }

    // The host's own lists, when apt has them: read in seconds off the GUI thread, with a
    // plausible estimate for the reference recipe.
    void realLists()
    {
        const QString dir = PackageIndex::defaultListsDir();
        if (QDir(dir).entryList({ QStringLiteral("*trixie*_Packages") }, QDir::Files).isEmpty())
            QSKIP("apt has no uncompressed trixie lists here");
        QElapsedTimer clock;
        clock.start();
        const PackageIndex index = PackageIndex::load(dir, QStringLiteral("trixie"), QStringLiteral("amd64"));
        qInfo("read %lld packages in %lld ms", qlonglong(index.packages().size()), clock.elapsed());
        QVERIFY(index.packages().size() > 10000);
        QVERIFY(index.find(QStringLiteral("openssh-server")));
        auto server = RecipeDraft::fromTemplate(QStringLiteral("debian-server"));
        QVERIFY(server);
        const SizeEstimate e = index.estimate(server->recipe.packages, server->recipe.exclude);
        qInfo("reference recipe: %d packages, %lld MiB installed, about %lld MiB to download", e.packages,
            e.installedBytes >> 20, e.compressedBytes >> 20);
        QVERIFY(e.unknown.isEmpty());
        QVERIFY(e.packages > 80 && e.packages < 400);
        QVERIFY(e.compressedBytes > (40 << 20) && e.compressedBytes < (300 << 20));
    }

    void badFieldBlocksNext_data()
    {
        QTest::addColumn<int>("page");
        QTest::addColumn<QString>("widget");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("field");
        QTest::newRow("name") << int(BuildWizard::Base) << "name" << "bad name!" << "name";
        QTest::newRow("version") << int(BuildWizard::Base) << "version" << "1 2" << "version";
        QTest::newRow("mirror") << int(BuildWizard::Base) << "mirror" << "no-url" << "distro.mirror";
        QTest::newRow("package") << int(BuildWizard::Packages) << "packages" << "Not_A_Package" << "packages[0]";
        QTest::newRow("service") << int(BuildWizard::Files) << "enableServices" << "bad/unit" << "services.enable[0]";
    }

    void badFieldBlocksNext()
    {
        QFETCH(int, page);
        QFETCH(QString, widget);
        QFETCH(QString, value);
        QFETCH(QString, field);
        auto w = wizard();
        QVERIFY(nextTo(w.get(), page));
        QWidget *edit = w->currentPage()->findChild<QWidget *>(widget);
        QVERIFY(edit);
        auto setText = [edit](const QString &text) {
            if (auto *line = qobject_cast<QLineEdit *>(edit))
                line->setText(text);
            else
                qobject_cast<QPlainTextEdit *>(edit)->setPlainText(text);
        };
        setText(value);
        w->next();
        QCOMPARE(w->currentId(), page);
        auto *error = w->currentPage()->findChild<QLabel *>(QStringLiteral("pageError"));
        QVERIFY(error && error->isVisible());
        QVERIFY2(error->text().startsWith(field + QStringLiteral(": ")), qPrintable(error->text()));
        setText(page == BuildWizard::Base && widget == QLatin1String("name") ? QStringLiteral("good") : QString());
        if (widget == QLatin1String("packages"))
            setText(QStringLiteral("hello"));
        w->next();
        QCOMPARE(w->currentId(), page + 1);
    }

    void badUserAndFile()
    {
        auto w = wizard();
        QVERIFY(nextTo(w.get(), BuildWizard::Files));
        auto *files = child<QTableWidget>(w.get(), "files");
        files->item(0, 1)->setText(QStringLiteral("999"));
        w->next();
        QCOMPARE(w->currentId(), int(BuildWizard::Files));
        QVERIFY(w->currentPage()
                ->findChild<QLabel *>(QStringLiteral("pageError"))
                ->text()
                .contains(QStringLiteral("octal mode")));
        files->item(0, 1)->setText(QStringLiteral("0640"));
        QVERIFY(nextTo(w.get(), BuildWizard::Users));
        child<QTableWidget>(w.get(), "users")->item(0, 0)->setText(QStringLiteral("Lab User"));
        w->next();
        QCOMPARE(w->currentId(), int(BuildWizard::Users));
        QVERIFY(w->currentPage()
                ->findChild<QLabel *>(QStringLiteral("pageError"))
                ->text()
                .startsWith(QStringLiteral("users[0].name: ")));
        // Back keeps the typed value; the review lists the problem with its field too.
        w->back();
        w->next();
        QCOMPARE(child<QTableWidget>(w.get(), "users")->item(0, 0)->text(), QStringLiteral("Lab User"));
    }

    void dropFiles()
    {
        QTemporaryDir src;
        put(src.filePath(QStringLiteral("hello.sh")), "#!/bin/sh\necho hi\n");
        QFile(src.filePath(QStringLiteral("hello.sh")))
            .setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        put(src.filePath(QStringLiteral("tree/a/b.conf")), "b\n");
        auto w = wizard();
        QVERIFY(nextTo(w.get(), BuildWizard::Files));
        auto *files = child<QTableWidget>(w.get(), "files");
        const int before = files->rowCount();
        QLineEdit *dir = nullptr;
        for (QLineEdit *edit : w->currentPage()->findChildren<QLineEdit *>()) {
            if (edit->text() == QLatin1String("/etc"))
                dir = edit;
        }
        QVERIFY(dir);
        dir->setText(QStringLiteral("/usr/local/bin/"));
        // Dropped from a file manager: a file and a folder.
        QMimeData mime;
        mime.setUrls({ QUrl::fromLocalFile(src.filePath(QStringLiteral("hello.sh"))),
            QUrl::fromLocalFile(src.filePath(QStringLiteral("tree"))) });
        const QPoint at = files->viewport()->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(files->viewport(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(files->viewport(), &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(files->rowCount(), before + 2);
        QCOMPARE(files->item(before, 0)->text(), QStringLiteral("/usr/local/bin/hello.sh"));
        QCOMPARE(files->item(before + 1, 0)->text(), QStringLiteral("/usr/local/bin/tree/a/b.conf"));
        files->item(before + 1, 1)->setText(QStringLiteral("0600"));

        // A new script, moved before the template's; each keeps its text.
        auto *scripts = child<QListWidget>(w.get(), "scripts");
        auto *editor = child<QPlainTextEdit>(w.get(), "scriptText");
        const QString hostname = editor->toPlainText();
        auto button = [&w](const QString &text) {
            for (QPushButton *b : w->currentPage()->findChildren<QPushButton *>()) {
                if (b->text() == text)
                    return b;
            }
            qFatal("no button %s", qPrintable(text));
        };
        button(QStringLiteral("New &Script"))->click();
        QCOMPARE(scripts->currentItem()->text(), QStringLiteral("20-setup.sh"));
        editor->appendPlainText(QStringLiteral("echo second"));
        button(QStringLiteral("Move &Up"))->click();
        QCOMPARE(scripts->item(0)->text(), QStringLiteral("20-setup.sh"));
        QVERIFY(editor->toPlainText().contains(QStringLiteral("echo second")));
        QVERIFY(nextTo(w.get(), BuildWizard::Users));
        QCOMPARE(w->draft().scripts.size(), 2);
        QCOMPARE(w->draft().scripts[0].name, QStringLiteral("20-setup.sh"));
        QVERIFY(w->draft().scripts[0].text.contains(QStringLiteral("echo second")));
        QCOMPARE(w->draft().scripts[1].text, hostname);
        QTemporaryDir out;
        QVERIFY(w->draft().save(out.path() + QStringLiteral("/r")).ok());
        const QString copied = out.path() + QStringLiteral("/r/files/usr/local/bin/hello.sh");
        QVERIFY(QFileInfo(copied).isExecutable());
        auto loaded = loadRecipe(out.path() + QStringLiteral("/r/recipe.json"));
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(loaded->fileModes.value(QStringLiteral("usr/local/bin/tree/a/b.conf")), 0600u);
    }

    void reviewRoundTrips()
    {
        auto w = wizard();
        QVERIFY(nextTo(w.get(), BuildWizard::Users));
        child<QPlainTextEdit>(w.get(), "sshKeys")
            ->setPlainText(QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITestKey lab@test"));
        QVERIFY(nextTo(w.get(), BuildWizard::Review));
        const QByteArray json = w->reviewPage()->jsonView()->toPlainText().toUtf8();
        const RecipeParse parse = parseRecipe(json, QStringLiteral("recipe.json"), QString(), false);
        QVERIFY2(parse.recipe, qPrintable(parse.errorText()));
        const Recipe &r = *parse.recipe;
        QCOMPARE(r.name, QStringLiteral("debian-server"));
        QCOMPARE(r.users.size(), 1);
        QCOMPARE(r.users[0].sshKeys.size(), 1);
        QCOMPARE(r.fileModes.value(QStringLiteral("etc/ssh/sshd_config.d/drover.conf")), 0600u);
        QCOMPARE(r.scripts, QStringList { QStringLiteral("scripts/10-hostname.sh") });
        // Every field survives: the parsed recipe writes the same JSON again.
        QCOMPARE(r.toJson(), QJsonDocument::fromJson(json).object());

        // Saved, it is a recipe the command line builds: files and scripts beside it.
        QTemporaryDir dir;
        QVERIFY(w->draft().save(dir.filePath(QStringLiteral("r"))).ok());
        auto loaded = loadRecipe(dir.filePath(QStringLiteral("r/recipe.json")));
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("r/files/etc/motd"))));
        QVERIFY(QFileInfo(dir.filePath(QStringLiteral("r/scripts/10-hostname.sh"))).isExecutable());
        QCOMPARE(loaded->toJson(), r.toJson());
    }

    // Every module class is a checkbox with its description as tooltip, and the ticked ones
    // (the finer PC classes too) are what the recipe's prune.kernelModules holds.
    void moduleClassesRoundTrip_data()
    {
        QTest::addColumn<QStringList>("classes");
        QTest::newRow("pc classes") << QStringList { QStringLiteral("virtio"), QStringLiteral("nic-pc"),
            QStringLiteral("storage-pc"), QStringLiteral("fs-common"), QStringLiteral("usb-pc") };
        QTest::newRow("old classes") << QStringList { QStringLiteral("net"), QStringLiteral("storage"),
            QStringLiteral("fs") };
        QTest::newRow("one new") << QStringList { QStringLiteral("fs-common") };
        QTest::newRow("none") << QStringList();
    }
    void moduleClassesRoundTrip()
    {
        QFETCH(QStringList, classes);
        auto w = wizard();
        QVERIFY(nextTo(w.get(), BuildWizard::Boot));
        // The PC classes on a row above the broad ones.
        QVERIFY(child<QCheckBox>(w.get(), "module-nic-pc")->mapTo(w.get(), QPoint()).y()
            < child<QCheckBox>(w.get(), "module-net")->mapTo(w.get(), QPoint()).y());
        QStringList expected;
        for (const QString &cls : moduleClasses()) {
            auto *box = w->findChild<QCheckBox *>(QString(QStringLiteral("module-") + cls));
            QVERIFY2(box, qPrintable(cls));
            QCOMPARE(box->toolTip(), moduleClassDescription(cls));
            QVERIFY(!box->toolTip().isEmpty());
            box->setChecked(classes.contains(cls));
            if (classes.contains(cls))
                expected.append(cls);
        }
        QCOMPARE(expected.size(), classes.size());
        QVERIFY(nextTo(w.get(), BuildWizard::Review));
        const QByteArray json = w->reviewPage()->jsonView()->toPlainText().toUtf8();
        const RecipeParse parse = parseRecipe(json, QStringLiteral("recipe.json"), QString(), false);
        QVERIFY2(parse.recipe, qPrintable(parse.errorText()));
        QCOMPARE(parse.recipe->kernelModules, expected);
    }

    // The layer compression: the measured choices, another setting a recipe names kept as it
    // is, and none for erofs (which has only lz4hc).
    void compressionRoundTrip_data()
    {
        QTest::addColumn<QString>("recipeSays");
        QTest::addColumn<QString>("choose"); // an entry's data; "-" leaves the loaded one
        QTest::addColumn<QString>("layerType");
        QTest::addColumn<QString>("expected");
        QTest::newRow("default to smaller") << "" << "zstd:19:1M" << "squashfs" << "zstd:19:1M";
        QTest::newRow("smaller to default") << "zstd:19:1M" << "" << "squashfs" << "";
        QTest::newRow("smallest") << "" << "xz-x86:1M" << "squashfs" << "xz-x86:1M";
        QTest::newRow("the recipe's own kept") << "zstd:9:256K" << "-" << "squashfs" << "zstd:9:256K";
        QTest::newRow("erofs has none") << "xz-x86:1M" << "-" << "erofs" << "";
    }
    void compressionRoundTrip()
    {
        QFETCH(QString, recipeSays);
        QFETCH(QString, choose);
        QFETCH(QString, layerType);
        QFETCH(QString, expected);
        QTemporaryDir src;
        QJsonObject recipe { { QStringLiteral("name"), QStringLiteral("tiny") },
            { QStringLiteral("version"), QStringLiteral("1") },
            { QStringLiteral("packages"), QJsonArray { QStringLiteral("linux-image-amd64") } } };
        if (!recipeSays.isEmpty())
            recipe.insert(QStringLiteral("compression"), recipeSays);
        put(src.filePath(QStringLiteral("tiny.json")), QJsonDocument(recipe).toJson());
        auto w = wizard();
        w->startPage()->fileChoice()->setChecked(true);
        w->startPage()->file()->setText(src.filePath(QStringLiteral("tiny.json")));
        QVERIFY(nextTo(w.get(), BuildWizard::Boot));
        auto *combo = child<QComboBox>(w.get(), "compression");
        QCOMPARE(combo->currentData().toString(), recipeSays);
        QVERIFY(!combo->toolTip().isEmpty());
        if (choose != QLatin1String("-"))
            combo->setCurrentIndex(combo->findData(choose));
        auto *type = child<QComboBox>(w.get(), "layerType");
        type->setCurrentIndex(type->findData(layerType));
        QCOMPARE(combo->isEnabled(), layerType != QLatin1String("erofs"));
        QVERIFY(nextTo(w.get(), BuildWizard::Review));
        const QByteArray json = w->reviewPage()->jsonView()->toPlainText().toUtf8();
        const RecipeParse parse = parseRecipe(json, QStringLiteral("recipe.json"), QString(), false);
        QVERIFY2(parse.recipe, qPrintable(parse.errorText()));
        QCOMPARE(parse.recipe->compression, expected);
    }

    void nextVersion_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QStringList>("taken");
        QTest::addColumn<QString>("expected"); // empty: a UTC timestamp
        QTest::newRow("number") << "2" << QStringList() << "3";
        QTest::newRow("dotted") << "1.9" << QStringList() << "1.10";
        QTest::newRow("prefix") << "v7" << QStringList() << "v8";
        QTest::newRow("taken") << "2" << QStringList { QStringLiteral("3"), QStringLiteral("4") } << "5";
        QTest::newRow("timestamp") << "20250101-120000" << QStringList() << "";
        QTest::newRow("word") << "stable" << QStringList() << "";
    }

    void nextVersion()
    {
        QFETCH(QString, version);
        QFETCH(QStringList, taken);
        QFETCH(QString, expected);
        const QString next = drover::nextVersion(version, [&taken](const QString &v) { return taken.contains(v); });
        if (expected.isEmpty()) {
            QVERIFY2(QRegularExpression(QStringLiteral("^\\d{8}-\\d{6}$")).match(next).hasMatch(), qPrintable(next));
            QVERIFY(next != version);
        } else {
            QCOMPARE(next, expected);
        }
    }

    // The start page's fourth choice: a container image or an archive becomes a recipe whose
    // root is imported, named after the file, with the kernel package; the review shows it.
    void importChoiceMakesAnImportRecipe()
    {
        QTemporaryDir dir;
        const QString archive = dir.filePath(QStringLiteral("Debian 12.tar.zst"));
        QFile f(archive);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        auto w = wizard();
        StartPage *start = w->startPage();
        start->importChoice()->setChecked(true);
        QVERIFY(!w->validateCurrentPage()); // no path yet
        QVERIFY2(
            start->errorText().contains(QStringLiteral("Choose the container image")), qPrintable(start->errorText()));
        start->importKind()->setCurrentIndex(start->importKind()->findData(QStringLiteral("rootfs")));
        start->importPath()->setText(dir.path());
        QVERIFY(!w->validateCurrentPage()); // a folder is no root filesystem archive
        QVERIFY2(start->errorText().contains(QStringLiteral("is a folder")), qPrintable(start->errorText()));
        start->importPath()->setText(archive);
        QVERIFY(nextTo(w.get(), BuildWizard::Base));
        QCOMPARE(child<QLineEdit>(w.get(), "name")->text(), QStringLiteral("debian-12"));
        const Recipe &r = w->draft().recipe;
        QCOMPARE(r.fromRootfs, QFileInfo(archive).absoluteFilePath());
        QVERIFY(r.fromOci.isEmpty());
        QCOMPARE(r.kernelPackage, QStringLiteral("linux-image-amd64"));
        const RecipeParse saved = parseRecipe(w->draft().json(), QStringLiteral("saved.json"), QString(), false);
        QVERIFY2(saved.recipe, qPrintable(saved.errorText()));
        QVERIFY(saved.recipe->imported());

        // An OCI layout folder, and no kernel package for a root that has its own.
        auto w2 = wizard();
        w2->startPage()->importChoice()->setChecked(true);
        w2->startPage()->importKind()->setCurrentIndex(w2->startPage()->importKind()->findData(QStringLiteral("oci")));
        w2->startPage()->importPath()->setText(dir.path());
        w2->startPage()->kernelPackage()->clear();
        QVERIFY(nextTo(w2.get(), BuildWizard::Base));
        QCOMPARE(w2->draft().recipe.fromOci, QFileInfo(dir.path()).absoluteFilePath());
        QVERIFY(w2->draft().recipe.kernelPackage.isEmpty());

        // The kernel of another image of the lab (one without a recipe is offered too).
        ImageRecord kernels;
        kernels.name = QStringLiteral("kernels");
        kernels.version = QStringLiteral("1");
        kernels.manifestDigest = QStringLiteral("sha256:") + QString(64, QLatin1Char('k'));
        QVERIFY(m_t.lab->catalog()->addImage(kernels).ok());
        auto w3 = wizard();
        StartPage *start3 = w3->startPage();
        start3->initializePage();
        start3->importChoice()->setChecked(true);
        start3->importKind()->setCurrentIndex(start3->importKind()->findData(QStringLiteral("oci")));
        start3->importPath()->setText(dir.path());
        start3->kernelFrom()->setCurrentIndex(start3->kernelFrom()->findData(QStringLiteral("image")));
        QVERIFY(start3->kernelImage()->isVisibleTo(start3));
        QVERIFY(!start3->kernelPackage()->isVisibleTo(start3));
        start3->kernelImage()->setCurrentIndex(start3->kernelImage()->findData(QStringLiteral("kernels:1")));
        QVERIFY(nextTo(w3.get(), BuildWizard::Base));
        QCOMPARE(w3->draft().recipe.kernelImage, QStringLiteral("kernels:1"));
        QVERIFY(w3->draft().recipe.kernelPackage.isEmpty());
        QVERIFY(w3->draft().json().contains("\"kernelImage\": \"kernels:1\""));
    }

    // Every template the start page offers loads, with its files, and saves back to a recipe
    // that parses as the same one (the inventory template keeps its busybox base).
    void everyTemplateLoads()
    {
        const QStringList names = RecipeDraft::templateNames();
        QVERIFY(names.contains(QStringLiteral("inventory")) && names.contains(QStringLiteral("debian-burnin")));
        for (const QString &name : names) {
            auto draft = RecipeDraft::fromTemplate(name);
            QVERIFY2(draft, qPrintable(name + QStringLiteral(": ") + (draft ? QString() : draft.error())));
            QCOMPARE(draft->recipe.name, name);
            QVERIFY(RecipeDraft::templateTitle(name) != name);
            const RecipeParse again = parseRecipe(draft->json(), QStringLiteral("saved.json"), QString(), false);
            QVERIFY2(again.recipe, qPrintable(again.errorText()));
            QCOMPARE(again.recipe->busyboxBase(), name == QLatin1String("inventory"));
        }
        auto burnin = RecipeDraft::fromTemplate(QStringLiteral("debian-burnin"));
        QVERIFY(burnin);
        QVERIFY(std::any_of(burnin->files.cbegin(), burnin->files.cend(),
            [](const DraftFile &f) { return f.target == QLatin1String("usr/lib/drover/tests.d/10-cpu-memory"); }));
    }

    void reopenImageRaisesVersion()
    {
        auto draft = RecipeDraft::fromTemplate(QStringLiteral("minimal"));
        QVERIFY(draft);
        draft->recipe.name = QStringLiteral("web");
        draft->recipe.version = QStringLiteral("2");
        draft->recipe.packages.append(QStringLiteral("hello"));
        for (const QString &version : { QStringLiteral("2"), QStringLiteral("3") }) {
            ImageRecord record;
            record.name = QStringLiteral("web");
            record.version = version;
            record.manifestDigest = QStringLiteral("sha256:") + QString(64, version.at(0));
            record.recipe = QString::fromUtf8(draft->json());
            QVERIFY(m_t.lab->catalog()->addImage(record).ok());
        }
        auto w = wizard();
        // The start page offers the images that have a recipe.
        w->startPage()->initializePage();
        QCOMPARE(w->startPage()->images()->count(), 2);
        w->startFromImage(QStringLiteral("web:2"));
        QCOMPARE(w->currentId(), int(BuildWizard::Base));
        QCOMPARE(child<QLineEdit>(w.get(), "name")->text(), QStringLiteral("web"));
        // 3 is published already: the next free version.
        QCOMPARE(child<QLineEdit>(w.get(), "version")->text(), QStringLiteral("4"));
        QVERIFY(nextTo(w.get(), BuildWizard::Packages));
        QVERIFY(child<QPlainTextEdit>(w.get(), "packages")->toPlainText().contains(QStringLiteral("hello")));

        // The same from the image panel's context menu, through the main window.
        QSettings().clear();
        MainWindow main(m_t.lab.get());
        Q_EMIT main.imagePanel()->newVersionRequested(QStringLiteral("web:3"));
        BuildWizard *opened = main.buildWizard();
        QVERIFY(opened);
        QCOMPARE(opened->currentId(), int(BuildWizard::Base));
        QCOMPARE(child<QLineEdit>(opened, "version")->text(), QStringLiteral("4"));
        opened->reject();
        QTRY_VERIFY(!main.buildWizard()); // deleted on close

        // Images › New Image… (Ctrl+Shift+N) opens it on the start page.
        auto *action = main.findChild<QAction *>(QStringLiteral("newImageAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        action->trigger();
        QVERIFY(main.buildWizard());
        QCOMPARE(main.buildWizard()->currentId(), int(BuildWizard::Start));
        main.buildWizard()->reject();
        QTRY_VERIFY(!main.buildWizard());
    }

    // A user who is not root builds through the build helper: when pkexec's authorisation
    // is dismissed or refused (a stand-in pkexec here), the wizard says so whole, nothing is
    // published, and Back leads to the recipe.
    void helperRefusalShown_data()
    {
        QTest::addColumn<QByteArray>("pkexec");
        QTest::addColumn<QString>("expected");
        QTest::newRow("dismissed") << QByteArray("exit 126") << QStringLiteral("authorisation was dismissed");
        QTest::newRow("not authorised") << QByteArray("echo 'Not authorized' >&2; exit 127")
                                        << QStringLiteral("polkit action org.drover.build");
    }

    void helperRefusalShown()
    {
        QFETCH(QByteArray, pkexec);
        QFETCH(QString, expected);
        QTemporaryDir src;
        test::useStandInPkexec(src.path(), pkexec);
        put(src.filePath(QStringLiteral("tiny.json")),
            R"({ "name": "tiny", "version": "1", "packages": ["linux-image-amd64"] })");
        BuildOptions options;
        options.privileges = BuildOptions::Privileges::Helper;

        QSettings().clear();
        MainWindow main(m_t.lab.get());
        main.show();
        BuildWizard *w = wizardAtReview(main, src.filePath(QStringLiteral("tiny.json")), options);
        QVERIFY(w);
        BuildPage *page = w->buildPage();
        QSignalSpy done(page, &BuildPage::buildFinished);
        w->next();
        QVERIFY(done.wait(30000));
        qunsetenv("DROVER_PKEXEC");
        QCOMPARE(done.first().first().toBool(), false);
        const QString status = page->statusLabel()->text();
        QVERIFY2(status.contains(expected), qPrintable(status));
        QVERIFY(status.contains(QStringLiteral("Nothing was published")));
        QVERIFY(page->log()->toPlainText().contains(QStringLiteral("build helper")));
        QVERIFY(!m_t.lab->catalog()->imageByTag(QStringLiteral("tiny:1")));
        QVERIFY(w->button(QWizard::BackButton)->isEnabled());
        w->reject();
    }

    // The build wizard of `main` on a recipe file, at the Review page, building with `options`;
    // null when it does not get there.
    static BuildWizard *wizardAtReview(MainWindow &main, const QString &recipeFile, const BuildOptions &options)
    {
        BuildWizard *w = main.openBuildWizard();
        w->setPackageListsDir(fixtureLists());
        w->setBuildOptions(options);
        w->startPage()->fileChoice()->setChecked(true);
        w->startPage()->file()->setText(recipeFile);
        return nextTo(w, BuildWizard::Review) ? w : nullptr;
    }

    void realBuild()
    {
        if (::geteuid() != 0)
            QSKIP("building images needs root");
        // The tiny recipe of tst_buildreal, from a file on disk, sharing its .deb cache.
        QTemporaryDir src;
        put(src.filePath(QStringLiteral("files/etc/drover-note")), "from the wizard\n");
        put(src.filePath(QStringLiteral("scripts/10-mark.sh")),
            "#!/bin/sh\nset -e\necho \"built by $DROVER_IMAGE\" > /etc/drover-built\n");
        put(src.filePath(QStringLiteral("tiny.json")), R"({
  "name": "tiny", "version": "1",
  "packages": ["linux-image-amd64"],
  "files": { "dir": "files", "modes": { "etc/drover-note": "0600" } },
  "users": [{ "name": "lab", "shell": "/bin/sh" }],
  "scripts": ["scripts/10-mark.sh"],
  "kernelArgs": "console=ttyS0",
  "prune": { "kernelModules": ["virtio"] }
})");
        BuildOptions options;
        options.debCacheDir = qEnvironmentVariable(
            "DROVER_BUILD_TEST_DEBS", QDir::tempPath() + QStringLiteral("/drover-build-test-debs"));

        QSettings().clear();
        MainWindow main(m_t.lab.get());
        main.show();
        BuildWizard *w = wizardAtReview(main, src.filePath(QStringLiteral("tiny.json")), options);
        QVERIFY(w);
        QSignalSpy built(w, &BuildWizard::imageBuilt);
        QVERIFY(w->reviewPage()->isComplete());
        shoot(w, QStringLiteral("review"));
        BuildPage *page = w->buildPage();
        QSignalSpy done(page, &BuildPage::buildFinished);
        w->next();
        QCOMPARE(w->currentId(), int(BuildWizard::Build));
        QVERIFY(page->isBuilding());
        QVERIFY(!w->button(QWizard::BackButton)->isEnabled());
        QVERIFY(!w->button(QWizard::FinishButton)->isEnabled());
        QVERIFY(done.wait(600 * 1000));
        QVERIFY2(done.first().first().toBool(), qPrintable(page->statusLabel()->text()));
        for (const StageReport &s : page->lastReport().stages)
            qInfo("%-10s %6.1f s %10lld bytes %s", qPrintable(s.name), s.seconds, s.bytes, s.cached ? "cached" : "");
        for (const QString &stage : Builder::stageNames())
            QCOMPARE(page->stageBar(stage)->value(), 100);
        QVERIFY(!page->log()->toPlainText().isEmpty());
        QVERIFY(w->button(QWizard::FinishButton)->isEnabled());
        QVERIFY(w->button(QWizard::BackButton)->isEnabled());
        shoot(w, QStringLiteral("build"));
        QCOMPARE(built.size(), 1);
        QCOMPARE(built.first().first().toString(), QStringLiteral("tiny:1"));
        auto image = m_t.lab->catalog()->imageByTag(QStringLiteral("tiny:1"));
        QVERIFY(image);
        QVERIFY(image->recipe.contains(QStringLiteral("linux-image-amd64")));
        QCOMPARE(main.imagePanel()->selectedTag(), QStringLiteral("tiny:1"));
        // The recipe is kept for the next version, files and scripts beside it.
        const QString kept = recipeDirFor(m_t.lab->dataDir(), QStringLiteral("tiny"));
        QVERIFY(loadRecipe(kept + QStringLiteral("/recipe.json")).ok());
        QVERIFY(QFile::exists(kept + QStringLiteral("/files/etc/drover-note")));
        QVERIFY(!QFile::exists(m_t.lab->dataDir() + QStringLiteral("/recipes/.building-tiny")));

        // The next version: reopened from the catalog with the kept files; cancelled while
        // building, it publishes nothing and Back leads to the recipe again.
        w->restart();
        w->startFromImage(QStringLiteral("tiny:1"));
        QCOMPARE(child<QLineEdit>(w, "version")->text(), QStringLiteral("2"));
        QVERIFY(nextTo(w, BuildWizard::Files));
        QCOMPARE(child<QTableWidget>(w, "files")->rowCount(), 1);
        QVERIFY(nextTo(w, BuildWizard::Review));
        done.clear();
        connect(
            page->builder(), &Builder::stageStarted, page, [page] { page->cancelButton()->click(); },
            Qt::SingleShotConnection);
        w->next();
        QVERIFY(done.wait(300 * 1000));
        QCOMPARE(done.first().first().toBool(), false);
        QVERIFY(page->lastReport().cancelled);
        QVERIFY(page->lastReport().stages.size() < Builder::stageNames().size());
        QCOMPARE(built.size(), 1);
        QVERIFY(!m_t.lab->catalog()->imageByTag(QStringLiteral("tiny:2")));
        QVERIFY(page->statusLabel()->text().contains(QStringLiteral("nothing was published")));
        QVERIFY(w->button(QWizard::BackButton)->isEnabled());
        w->back();
        QCOMPARE(w->currentId(), int(BuildWizard::Review));

        // A package the suite lacks fails the build with the builder's message naming it
        // and the suite; Back leads to the packages as they were typed.
        w->back();
        w->back();
        w->back();
        w->back();
        QCOMPARE(w->currentId(), int(BuildWizard::Packages));
        child<QPlainTextEdit>(w, "packages")->appendPlainText(QStringLiteral("nosuchpackage-drover"));
        QVERIFY(nextTo(w, BuildWizard::Review));
        done.clear();
        w->next();
        QVERIFY(done.wait(300 * 1000));
        QCOMPARE(done.first().first().toBool(), false);
        const QString failure = page->statusLabel()->text();
        QVERIFY2(failure.contains(QStringLiteral("\"nosuchpackage-drover\" is not in trixie")), qPrintable(failure));
        QVERIFY(!m_t.lab->catalog()->imageByTag(QStringLiteral("tiny:2")));
        QVERIFY(!QFile::exists(m_t.lab->dataDir() + QStringLiteral("/recipes/.building-tiny")));
        for (int i = 0; i < 5; ++i)
            w->back();
        QCOMPARE(w->currentId(), int(BuildWizard::Packages));
        QVERIFY(child<QPlainTextEdit>(w, "packages")->toPlainText().contains(QStringLiteral("nosuchpackage-drover")));
        child<QPlainTextEdit>(w, "packages")->setPlainText(QStringLiteral("linux-image-amd64"));
        QVERIFY(nextTo(w, BuildWizard::Review));

        // Closing during a build asks, cancels, and closes once the builder has stopped.
        int asked = 0;
        w->setConfirm([&asked](const QString &, const QString &) { return ++asked > 0; });
        done.clear();
        connect(page->builder(), &Builder::stageStarted, w, [w] { w->reject(); }, Qt::SingleShotConnection);
        w->next();
        QVERIFY(done.wait(300 * 1000));
        QCOMPARE(asked, 1);
        QTRY_VERIFY(!main.buildWizard());
        QVERIFY(!m_t.lab->catalog()->imageByTag(QStringLiteral("tiny:2")));
        QCOMPARE(built.size(), 1);
    }
};

QTEST_MAIN(TstBuildWizard)
#include "tst_buildwizard.moc"
