// Writing into an image root from outside: symlinks resolve inside the root (an absolute link
// cannot make the builder write to the host), the files directory lands with its owners and
// modes, and users are added to passwd/shadow/group/gshadow the same way every time.
#include "builder/imagefiles.h"
#include "builder/imageusers.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace drover;

namespace {

void put(const QString &path, const QByteArray &content, uint mode = 0644)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content);
    f.close();
    ::chmod(QFile::encodeName(path).constData(), mode);
}

QByteArray text(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct stat statOf(const QString &path)
{
    struct stat st {};
    ::lstat(QFile::encodeName(path).constData(), &st);
    return st;
}

} // namespace

class TstImageFiles : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_root;

private Q_SLOTS:
    void init()
    {
        if (::geteuid() != 0)
            QSKIP("needs root (file owners)");
        m_root = m_dir.filePath(QStringLiteral("root-") + QString::fromLatin1(QTest::currentTestFunction()));
        put(m_root + QStringLiteral("/etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        put(m_root + QStringLiteral("/etc/shadow"), "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", 0640);
        put(m_root + QStringLiteral("/etc/group"), "root:x:0:\nsudo:x:27:\nusers:x:100:\nnogroup:x:65534:\n");
        put(m_root + QStringLiteral("/etc/gshadow"), "root:*::\nsudo:*::\nusers:*::\nnogroup:*::\n", 0640);
        put(m_root + QStringLiteral("/etc/skel/.profile"), "# profile\n");
        QDir().mkpath(m_root + QStringLiteral("/home"));
        QDir().mkpath(m_root + QStringLiteral("/root"));
        QDir().mkpath(m_root + QStringLiteral("/usr/lib"));
        QVERIFY(QFile::link(QStringLiteral("usr/lib"), m_root + QStringLiteral("/lib")));
    }

    void pathsStayInTheRoot()
    {
        // An absolute link pointing out of the image resolves inside it.
        QVERIFY(QFile::link(QStringLiteral("/tmp"), m_root + QStringLiteral("/etc/escape")));
        auto p = pathInRoot(m_root, QStringLiteral("/etc/escape/x"));
        QVERIFY(p);
        QCOMPARE(*p, m_root + QStringLiteral("/tmp/x"));
        QCOMPARE(*pathInRoot(m_root, QStringLiteral("lib/modules")), m_root + QStringLiteral("/usr/lib/modules"));
        QCOMPARE(*pathInRoot(m_root, QStringLiteral("/../../etc/passwd")), m_root + QStringLiteral("/etc/passwd"));
        QVERIFY(writeImageFile(m_root, QStringLiteral("/etc/escape/file"), "x", 0600));
        QVERIFY(QFile::exists(m_root + QStringLiteral("/tmp/file")));
        QVERIFY(!QFile::exists(QStringLiteral("/tmp/file")) || text(QStringLiteral("/tmp/file")) != "x");
        QCOMPARE(imageUid(m_root, QStringLiteral("nobody")).value_or(0), 65534u);
        QCOMPARE(imageGid(m_root, QStringLiteral("sudo")).value_or(0), 27u);
        QVERIFY(!imageUid(m_root, QStringLiteral("ghost")));
    }

    void filesWithModesAndOwner()
    {
        const QString src = m_dir.filePath(QStringLiteral("files"));
        put(src + QStringLiteral("/etc/motd"), "welcome\n");
        put(src + QStringLiteral("/usr/local/bin/hello"), "#!/bin/sh\necho hi\n", 0755);
        put(src + QStringLiteral("/lib/extra/x.conf"), "x\n"); // through lib → usr/lib
        put(src + QStringLiteral("/etc/secret"), "s\n");
        FilesSpec spec;
        spec.sourceDir = src;
        spec.owner = QStringLiteral("nobody:nogroup");
        spec.modes.insert(QStringLiteral("etc/secret"), 0600);
        auto copied = copyFilesIntoImage(m_root, spec);
        QVERIFY2(copied, qPrintable(copied.error()));
        QCOMPARE(*copied, 4);
        QCOMPARE(text(m_root + QStringLiteral("/etc/motd")), QByteArray("welcome\n"));
        QCOMPARE(statOf(m_root + QStringLiteral("/etc/motd")).st_mode & 07777, 0644u);
        QCOMPARE(statOf(m_root + QStringLiteral("/etc/motd")).st_uid, 65534u);
        QCOMPARE(statOf(m_root + QStringLiteral("/usr/local/bin/hello")).st_mode & 07777, 0755u);
        QCOMPARE(statOf(m_root + QStringLiteral("/etc/secret")).st_mode & 07777, 0600u);
        QVERIFY(QFileInfo(m_root + QStringLiteral("/usr/lib/extra/x.conf")).isFile());
        QVERIFY(QFileInfo(m_root + QStringLiteral("/lib")).isSymLink()); // not replaced by a directory
        // The existing /etc keeps its own metadata.
        QCOMPARE(statOf(m_root + QStringLiteral("/etc")).st_uid, 0u);

        spec.owner = QStringLiteral("ghost:root");
        QVERIFY(!copyFilesIntoImage(m_root, spec));
    }

    void users()
    {
        RecipeUser lab;
        lab.name = QStringLiteral("lab");
        lab.groups = { QStringLiteral("sudo"), QStringLiteral("users") };
        lab.password = QStringLiteral("$y$j9T$salt$hash");
        lab.sshKeys = { QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey lab@pc") };
        RecipeUser svc;
        svc.name = QStringLiteral("svc");
        svc.uid = 2000;
        svc.shell = QStringLiteral("/usr/sbin/nologin");
        RecipeUser root;
        root.name = QStringLiteral("root");
        root.sshKeys = { QStringLiteral("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB admin@pc") };
        const Status s = applyImageUsers(m_root, { lab, svc, root }, 20000);
        QVERIFY2(s, qPrintable(s.error()));

        QCOMPARE(text(m_root + QStringLiteral("/etc/passwd")),
            QByteArray("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                       "lab:x:1000:1000::/home/lab:/bin/bash\nsvc:x:2000:2000::/home/svc:/usr/sbin/nologin\n"));
        QCOMPARE(text(m_root + QStringLiteral("/etc/shadow")),
            QByteArray("root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"
                       "lab:$y$j9T$salt$hash:20000:0:99999:7:::\nsvc:*:20000:0:99999:7:::\n"));
        QCOMPARE(text(m_root + QStringLiteral("/etc/group")),
            QByteArray("root:x:0:\nsudo:x:27:lab\nusers:x:100:lab\nnogroup:x:65534:\nlab:x:1000:\nsvc:x:2000:\n"));
        QCOMPARE(text(m_root + QStringLiteral("/etc/gshadow")),
            QByteArray("root:*::\nsudo:*::lab\nusers:*::lab\nnogroup:*::\nlab:!::\nsvc:!::\n"));
        QCOMPARE(statOf(m_root + QStringLiteral("/etc/shadow")).st_mode & 07777, 0640u); // kept
        QCOMPARE(statOf(m_root + QStringLiteral("/home/lab")).st_mode & 07777, 0700u);
        QCOMPARE(statOf(m_root + QStringLiteral("/home/lab")).st_uid, 1000u);
        QCOMPARE(text(m_root + QStringLiteral("/home/lab/.profile")), QByteArray("# profile\n"));
        QCOMPARE(text(m_root + QStringLiteral("/home/lab/.ssh/authorized_keys")), lab.sshKeys.first().toUtf8() + '\n');
        QCOMPARE(statOf(m_root + QStringLiteral("/home/lab/.ssh/authorized_keys")).st_mode & 07777, 0600u);
        QCOMPARE(statOf(m_root + QStringLiteral("/home/lab/.ssh")).st_uid, 1000u);
        QCOMPARE(text(m_root + QStringLiteral("/root/.ssh/authorized_keys")), root.sshKeys.first().toUtf8() + '\n');

        // Applying again changes nothing: no duplicate rows, members or keys.
        QVERIFY(applyImageUsers(m_root, { lab, svc, root }, 20000));
        QCOMPARE(text(m_root + QStringLiteral("/etc/group")).count("lab"), 3);
        QCOMPARE(text(m_root + QStringLiteral("/home/lab/.ssh/authorized_keys")).count('\n'), 1);
    }

    void userErrors()
    {
        RecipeUser u;
        u.name = QStringLiteral("lab");
        u.groups = { QStringLiteral("wheel") };
        Status s = applyImageUsers(m_root, { u }, 1);
        QVERIFY(!s);
        QVERIFY2(s.error().contains(QStringLiteral("users[0].groups: the image has no group \"wheel\"")),
            qPrintable(s.error()));
        RecipeUser clash;
        clash.name = QStringLiteral("other");
        clash.uid = 65534;
        s = applyImageUsers(m_root, { clash }, 1);
        QVERIFY(!s);
        QVERIFY(s.error().contains(QStringLiteral("uid 65534 belongs to another user")));
        RecipeUser root;
        root.name = QStringLiteral("root");
        root.uid = 5;
        QVERIFY(!applyImageUsers(m_root, { root }, 1));
    }
};

QTEST_GUILESS_MAIN(TstImageFiles)
#include "tst_imagefiles.moc"
