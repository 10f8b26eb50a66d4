#include "builder/jsonlocator.h"

#include <algorithm>

namespace drover {

namespace {
constexpr int kMaxDepth = 64;
}

JsonLocator::JsonLocator(const QByteArray &json)
    : m_text(json)
{
    m_lineStarts.append(0);
    for (qsizetype i = 0; i < m_text.size(); ++i) {
        if (m_text[i] == '\n')
            m_lineStarts.append(i + 1);
    }
    skipSpace();
    scanValue(QString(), 0);
}

QString JsonLocator::child(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString JsonLocator::element(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

void JsonLocator::skipSpace()
{
    while (m_pos < m_text.size()) {
        const char c = m_text[m_pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        ++m_pos;
    }
}

bool JsonLocator::scanString(QString *decoded)
{
    if (m_pos >= m_text.size() || m_text[m_pos] != '"')
        return false;
    const qsizetype start = ++m_pos;
    bool escaped = false;
    while (m_pos < m_text.size()) {
        const char c = m_text[m_pos++];
        if (c == '\\') {
            escaped = true;
            ++m_pos;
        } else if (c == '"') {
            if (decoded) {
                const QByteArray raw = m_text.mid(start, m_pos - 1 - start);
                // Keys with escapes are rare; JSON-decode them through a one-element array.
                *decoded = escaped ? QString::fromUtf8(raw)
                                         .replace(QLatin1String("\\\""), QLatin1String("\""))
                                         .replace(QLatin1String("\\\\"), QLatin1String("\\"))
                                   : QString::fromUtf8(raw);
            }
            return true;
        }
    }
    return false;
}

bool JsonLocator::scanValue(const QString &path, int depth)
{
    if (m_pos >= m_text.size() || depth > kMaxDepth)
        return false;
    m_values.insert(path, m_pos);
    const char c = m_text[m_pos];
    if (c == '{') {
        ++m_pos;
        QStringList seen;
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == '}') {
            ++m_pos;
            return true;
        }
        while (m_pos < m_text.size()) {
            skipSpace();
            const qsizetype keyAt = m_pos;
            QString key;
            if (!scanString(&key))
                return false;
            const QString childPath = child(path, key);
            if (seen.contains(key))
                m_duplicates.append({ childPath, keyAt });
            else
                m_keys.insert(childPath, keyAt);
            seen.append(key);
            skipSpace();
            if (m_pos >= m_text.size() || m_text[m_pos] != ':')
                return false;
            ++m_pos;
            skipSpace();
            if (!scanValue(childPath, depth + 1))
                return false;
            skipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            return false;
        }
        return false;
    }
    if (c == '[') {
        ++m_pos;
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == ']') {
            ++m_pos;
            return true;
        }
        for (qsizetype index = 0; m_pos < m_text.size(); ++index) {
            skipSpace();
            if (!scanValue(element(path, index), depth + 1))
                return false;
            skipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            return false;
        }
        return false;
    }
    if (c == '"')
        return scanString(nullptr);
    // Number or literal: runs to the next delimiter.
    while (m_pos < m_text.size() && !QByteArrayView(",}] \t\r\n").contains(m_text[m_pos]))
        ++m_pos;
    return true;
}

JsonLocator::Position JsonLocator::positionOf(qsizetype offset) const
{
    offset = std::clamp<qsizetype>(offset, 0, m_text.size());
    const auto it = std::upper_bound(m_lineStarts.cbegin(), m_lineStarts.cend(), offset);
    const qsizetype lineIndex = (it - m_lineStarts.cbegin()) - 1;
    const qsizetype lineStart = m_lineStarts[lineIndex];
    int column = 1;
    for (qsizetype i = lineStart; i < offset; ++i) {
        if ((uchar(m_text[i]) & 0xc0) != 0x80) // count characters, not UTF-8 continuation bytes
            ++column;
    }
    return { int(lineIndex + 1), column };
}

qsizetype JsonLocator::nearest(const QHash<QString, qsizetype> &map, const QString &path) const
{
    QString p = path;
    while (true) {
        const auto it = map.constFind(p);
        if (it != map.cend())
            return *it;
        if (p.isEmpty())
            return 0;
        const qsizetype cut = std::max(p.lastIndexOf(QLatin1Char('.')), p.lastIndexOf(QLatin1Char('[')));
        p = cut > 0 ? p.left(cut) : QString();
    }
}

QList<JsonLocator::Duplicate> JsonLocator::duplicates() const
{
    QList<Duplicate> out;
    for (const auto &[path, offset] : m_duplicates)
        out.append({ path, positionOf(offset) });
    return out;
}

JsonLocator::Position JsonLocator::keyPosition(const QString &path) const
{
    const auto it = m_keys.constFind(path);
    return positionOf(it != m_keys.cend() ? *it : nearest(m_values, path));
}

JsonLocator::Position JsonLocator::valuePosition(const QString &path) const
{
    return positionOf(nearest(m_values, path));
}

} // namespace drover
