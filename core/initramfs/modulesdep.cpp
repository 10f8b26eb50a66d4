#include "initramfs/modulesdep.h"

#include <QCoreApplication>
#include <QFile>

namespace drover {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(ModulesDep)
};

} // namespace

QString ModulesDep::moduleName(const QString &path)
{
    QString name = path.section(QLatin1Char('/'), -1);
    for (const auto *suffix : { ".ko.xz", ".ko.zst", ".ko.gz", ".ko" }) {
        const QLatin1StringView s(suffix);
        if (name.endsWith(s)) {
            name.chop(s.size());
            break;
        }
    }
    return name.replace(QLatin1Char('-'), QLatin1Char('_'));
}

Result<ModulesDep> ModulesDep::parse(const QByteArray &modulesDep, const QByteArray &modulesBuiltin)
{
    return parse(Files { modulesDep, modulesBuiltin, {}, {} });
}

Result<ModulesDep> ModulesDep::parse(const Files &files)
{
    const QByteArray &modulesDep = files.dep;
    const QByteArray &modulesBuiltin = files.builtin;
    ModulesDep dep;
    int lineNo = 0;
    for (const QByteArray &raw : modulesDep.split('\n')) {
        ++lineNo;
        const QByteArray line = raw.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return Result<ModulesDep>::failure(
                Text::tr("modules.dep line %1: no ':' after the module path").arg(lineNo));
        const QString path = QString::fromUtf8(line.left(colon));
        QStringList deps;
        for (const QByteArray &d : line.mid(colon + 1).split(' ')) {
            if (!d.isEmpty())
                deps.append(QString::fromUtf8(d));
        }
        if (!dep.m_deps.contains(path))
            dep.m_order.append(path);
        dep.m_deps.insert(path, deps);
        dep.m_byName.insert(moduleName(path), path);
    }
    for (const QByteArray &raw : modulesBuiltin.split('\n')) {
        const QByteArray line = raw.trimmed();
        if (!line.isEmpty())
            dep.m_builtin.insert(moduleName(QString::fromUtf8(line)));
    }
    for (const QByteArray &raw : files.alias.split('\n')) {
        const QList<QByteArray> words = raw.simplified().split(' ');
        if (words.size() != 3 || words[0] != "alias")
            continue;
        const QString pattern = QString::fromUtf8(words[1]);
        const QString module = moduleName(QString::fromUtf8(words[2]));
        dep.m_aliasLines.append({ pattern, module });
        if (!pattern.contains(QLatin1Char('*')) && !pattern.contains(QLatin1Char('?'))
            && !pattern.contains(QLatin1Char('[')))
            dep.m_aliases[moduleName(pattern)].append(module);
    }
    for (const QByteArray &raw : files.softdep.split('\n')) {
        const QList<QByteArray> words = raw.simplified().split(' ');
        if (words.size() < 3 || words[0] != "softdep")
            continue;
        QStringList &wanted = dep.m_softdeps[moduleName(QString::fromUtf8(words[1]))];
        for (qsizetype i = 2; i < words.size(); ++i) {
            if (!words[i].endsWith(':'))
                wanted.append(moduleName(QString::fromUtf8(words[i])));
        }
    }
    return dep;
}

Result<ModulesDep> ModulesDep::load(const QString &moduleDir)
{
    QFile depFile(moduleDir + QStringLiteral("/modules.dep"));
    if (!depFile.open(QIODevice::ReadOnly))
        return Result<ModulesDep>::failure(
            Text::tr("cannot read %1: %2").arg(depFile.fileName(), depFile.errorString()));
    auto optional = [&moduleDir](const char *name) {
        QFile f(moduleDir + QLatin1Char('/') + QLatin1StringView(name));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    return parse(Files {
        depFile.readAll(), optional("modules.builtin"), optional("modules.alias"), optional("modules.softdep") });
}

bool ModulesDep::contains(const QString &name) const
{
    return m_byName.contains(moduleName(name));
}

bool ModulesDep::isBuiltin(const QString &name) const
{
    return m_builtin.contains(moduleName(name));
}

QString ModulesDep::pathOf(const QString &name) const
{
    return m_byName.value(moduleName(name));
}

QStringList ModulesDep::dependenciesOf(const QString &path) const
{
    return m_deps.value(path);
}

void ModulesDep::visit(const QString &path, QSet<QString> &seen, QStringList &out) const
{
    if (seen.contains(path))
        return;
    seen.insert(path);
    // depmod lists a module's dependencies so that the last one is loaded first.
    const QStringList deps = m_deps.value(path);
    for (auto it = deps.crbegin(); it != deps.crend(); ++it)
        visit(*it, seen, out);
    out.append(path);
}

void ModulesDep::request(const QString &name, QSet<QString> &seen, Resolution &r, bool optional) const
{
    const QString plain = moduleName(name);
    if (seen.contains(QLatin1Char('=') + plain))
        return;
    seen.insert(QLatin1Char('=') + plain);
    QStringList modules;
    if (m_byName.contains(plain) || m_builtin.contains(plain))
        modules = { plain };
    else
        modules = m_aliases.value(plain);
    if (modules.isEmpty()) {
        if (!optional)
            r.missing.append(plain);
        return;
    }
    for (const QString &m : std::as_const(modules)) {
        if (m_builtin.contains(m) && !m_byName.contains(m)) {
            if (!r.builtin.contains(m))
                r.builtin.append(m);
            continue;
        }
        const QString path = m_byName.value(m);
        if (path.isEmpty())
            continue;
        // Soft dependencies (r8169 wants its PHY driver): loaded by modprobe before or after.
        for (const QString &soft : m_softdeps.value(m))
            request(soft, seen, r, true);
        visit(path, seen, r.paths);
        for (const QString &dependency : m_deps.value(path))
            for (const QString &soft : m_softdeps.value(moduleName(dependency)))
                request(soft, seen, r, true);
    }
}

ModulesDep::Resolution ModulesDep::resolve(const QStringList &names) const
{
    Resolution r;
    QSet<QString> seen;
    for (const QString &name : names)
        request(name, seen, r, false);
    return r;
}

QByteArray ModulesDep::subset(const QSet<QString> &paths) const
{
    QByteArray out;
    for (const QString &path : m_order) {
        if (!paths.contains(path))
            continue;
        out += path.toUtf8() + ':';
        for (const QString &d : m_deps.value(path)) {
            if (paths.contains(d))
                out += ' ' + d.toUtf8();
        }
        out += '\n';
    }
    return out;
}

QByteArray ModulesDep::aliasSubset(const QSet<QString> &paths) const
{
    QSet<QString> names;
    for (const QString &p : paths)
        names.insert(moduleName(p));
    QByteArray out;
    for (const auto &[pattern, module] : m_aliasLines) {
        if (names.contains(module))
            out += "alias " + pattern.toUtf8() + ' ' + module.toUtf8() + '\n';
    }
    return out;
}

} // namespace drover
