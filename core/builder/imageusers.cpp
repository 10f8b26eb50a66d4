#include "builder/imageusers.h"

#include "builder/imagefiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <sys/stat.h>
#include <unistd.h>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ImageUsers)
};

// One of the colon-separated account files.
class Table {
public:
    Table(QString root, QString path, int fields)
        : m_root(std::move(root))
        , m_path(std::move(path))
        , m_fields(fields)
    { }

    Status load(bool optional = false)
    {
        auto host = pathInRoot(m_root, m_path);
        if (!host)
            return Status::failure(host.error());
        m_host = *host;
        QFile f(m_host);
        if (!f.open(QIODevice::ReadOnly)) {
            if (optional && !f.exists()) {
                m_missing = true;
                return {};
            }
            return Status::failure(Text::tr("cannot read %1 in the image: %2").arg(m_path, f.errorString()));
        }
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            QStringList row = QString::fromUtf8(line).split(QLatin1Char(':'));
            while (row.size() < m_fields)
                row.append(QString());
            m_rows.append(row);
        }
        return {};
    }

    Status save() const
    {
        if (m_missing)
            return {};
        QByteArray text;
        for (const QStringList &row : m_rows)
            text += row.join(QLatin1Char(':')).toUtf8() + '\n';
        // Rewritten in place: the file keeps its owner and mode (shadow is root:shadow 0640).
        QFile f(m_host);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size() || !f.flush())
            return Status::failure(Text::tr("cannot write %1 in the image: %2").arg(m_path, f.errorString()));
        return {};
    }

    qsizetype find(const QString &name) const
    {
        for (qsizetype i = 0; i < m_rows.size(); ++i) {
            if (m_rows[i].first() == name)
                return i;
        }
        return -1;
    }
    QSet<uint> ids() const
    {
        QSet<uint> out;
        for (const QStringList &row : m_rows)
            out.insert(row.value(2).toUInt());
        return out;
    }
    void append(const QStringList &row)
    {
        if (!m_missing)
            m_rows.append(row);
    }
    QStringList &row(qsizetype i) { return m_rows[i]; }
    bool missing() const { return m_missing; }

private:
    QString m_root;
    QString m_path;
    QString m_host;
    int m_fields;
    bool m_missing = false;
    QList<QStringList> m_rows;
};

uint firstFree(const QSet<uint> &used, uint from)
{
    uint id = from;
    while (used.contains(id))
        ++id;
    return id;
}

void addMember(QString &members, const QString &name)
{
    QStringList list = members.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (!list.contains(name))
        list.append(name);
    members = list.join(QLatin1Char(','));
}

Status makeDirectory(const QString &root, const QString &path, uint mode, uint uid, uint gid)
{
    auto host = pathInRoot(root, path);
    if (!host)
        return Status::failure(host.error());
    const QByteArray h = QFile::encodeName(*host);
    if (!QFileInfo(*host).isDir()) {
        if (::mkdir(h.constData(), mode) != 0 || ::chown(h.constData(), uid, gid) != 0
            || ::chmod(h.constData(), mode) != 0)
            return Status::failure(Text::tr("cannot create %1 in the image").arg(path));
    }
    return {};
}

// A new home gets /etc/skel's files, as useradd -m would copy them.
Status populateHome(const QString &root, const QString &home, uint uid, uint gid)
{
    auto skel = pathInRoot(root, QStringLiteral("/etc/skel"));
    if (!skel || !QFileInfo(*skel).isDir())
        return {};
    QStringList entries;
    QDirIterator it(
        *skel, QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        entries.append(QDir(*skel).relativeFilePath(it.next()));
    std::sort(entries.begin(), entries.end());
    for (const QString &rel : std::as_const(entries)) {
        const QFileInfo info(QDir(*skel).filePath(rel));
        const QString target = home + QLatin1Char('/') + rel;
        if (info.isDir()) {
            if (Status s = makeDirectory(root, target, 0755, uid, gid); !s)
                return s;
            continue;
        }
        QFile f(info.filePath());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        if (Status s = writeImageFile(
                root, target, f.readAll(), info.permissions() & QFileDevice::ExeOwner ? 0755 : 0644, uid, gid);
            !s)
            return s;
    }
    return {};
}

Status installKeys(const QString &root, const QString &home, const QStringList &keys, uint uid, uint gid)
{
    if (keys.isEmpty())
        return {};
    if (Status s = makeDirectory(root, home + QStringLiteral("/.ssh"), 0700, uid, gid); !s)
        return s;
    const QString file = home + QStringLiteral("/.ssh/authorized_keys");
    QStringList lines;
    if (auto host = pathInRoot(root, file)) {
        QFile existing(*host);
        if (existing.open(QIODevice::ReadOnly))
            lines = QString::fromUtf8(existing.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }
    for (const QString &key : keys) {
        if (!lines.contains(key))
            lines.append(key);
    }
    return writeImageFile(root, file, (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8(), 0600, uid, gid);
}

} // namespace

Status applyImageUsers(const QString &root, const QList<RecipeUser> &users, qint64 days)
{
    if (users.isEmpty())
        return {};
    Table passwd(root, QStringLiteral("/etc/passwd"), 7);
    Table shadow(root, QStringLiteral("/etc/shadow"), 9);
    Table group(root, QStringLiteral("/etc/group"), 4);
    Table gshadow(root, QStringLiteral("/etc/gshadow"), 4);
    for (Status s : { passwd.load(), shadow.load(true), group.load(), gshadow.load(true) }) {
        if (!s)
            return s;
    }
    for (qsizetype n = 0; n < users.size(); ++n) {
        const RecipeUser &u = users[n];
        const QString where = QStringLiteral("users[%1]").arg(n);
        qsizetype p = passwd.find(u.name);
        const bool created = p < 0;
        if (created) {
            const uint uid = u.uid ? uint(*u.uid) : firstFree(passwd.ids(), 1000);
            if (passwd.ids().contains(uid))
                return Status::failure(Text::tr("%1: uid %2 belongs to another user of the image").arg(where).arg(uid));
            uint gid = 0;
            if (const qsizetype g = group.find(u.name); g >= 0) {
                gid = group.row(g).value(2).toUInt();
            } else {
                gid = group.ids().contains(uid) ? firstFree(group.ids(), 1000) : uid;
                group.append({ u.name, QStringLiteral("x"), QString::number(gid), QString() });
                gshadow.append({ u.name, QStringLiteral("!"), QString(), QString() });
            }
            passwd.append({ u.name, QStringLiteral("x"), QString::number(uid), QString::number(gid), QString(),
                QStringLiteral("/home/") + u.name, u.shell.isEmpty() ? QStringLiteral("/bin/bash") : u.shell });
            p = passwd.find(u.name);
        } else {
            if (u.uid && passwd.row(p).value(2).toInt() != *u.uid)
                return Status::failure(Text::tr("%1: %2 exists in the image with uid %3, not %4")
                        .arg(where, u.name, passwd.row(p).value(2))
                        .arg(*u.uid));
            if (!u.shell.isEmpty())
                passwd.row(p)[6] = u.shell;
        }
        const uint uid = passwd.row(p).value(2).toUInt();
        const uint gid = passwd.row(p).value(3).toUInt();
        const QString home = passwd.row(p).value(5);

        qsizetype s = shadow.find(u.name);
        if (s < 0 && !shadow.missing()) {
            shadow.append({ u.name, QStringLiteral("*"), QString::number(days), QStringLiteral("0"),
                QStringLiteral("99999"), QStringLiteral("7"), QString(), QString(), QString() });
            s = shadow.find(u.name);
        }
        if (s >= 0 && !u.password.isEmpty()) {
            shadow.row(s)[1] = u.password;
            shadow.row(s)[2] = QString::number(days);
        }
        for (const QString &name : u.groups) {
            const qsizetype g = group.find(name);
            if (g < 0)
                return Status::failure(Text::tr("%1.groups: the image has no group \"%2\" (a package or a script must "
                                                "create it)")
                        .arg(where, name));
            addMember(group.row(g)[3], u.name);
            if (const qsizetype gs = gshadow.find(name); gs >= 0)
                addMember(gshadow.row(gs)[3], u.name);
        }
        if (created && !home.isEmpty()) {
            auto host = pathInRoot(root, home);
            if (host && !QFileInfo(*host).exists()) {
                if (Status st = makeDirectory(root, home, 0700, uid, gid); !st)
                    return st;
                if (Status st = populateHome(root, home, uid, gid); !st)
                    return st;
            }
        }
        if (Status st = installKeys(root, home.isEmpty() ? QStringLiteral("/root") : home, u.sshKeys, uid, gid); !st)
            return st;
    }
    for (const Table *t : { &passwd, &shadow, &group, &gshadow }) {
        if (Status s = t->save(); !s)
            return s;
    }
    return {};
}

} // namespace drover
