// JsonLocator: where each key and value of a JSON text sits (line, column), by path —
// "distro.suite", "users[0].uid". QJsonDocument keeps no positions, and a recipe's messages
// must point at the line to fix. A small scanner over the text; it trusts QJsonDocument for
// the values and only records offsets (and keys given twice, which QJsonDocument drops).
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

namespace drover {

class JsonLocator {
public:
    struct Position {
        int line = 1; // 1-based
        int column = 1; // 1-based, in characters
    };

    explicit JsonLocator(const QByteArray &json);

    // The key's opening quote; for the root or an array element, the value's start.
    Position keyPosition(const QString &path) const;
    // The value's first character; falls back to the nearest recorded parent.
    Position valuePosition(const QString &path) const;
    // Line and column of a byte offset (e.g. QJsonParseError::offset).
    Position positionOf(qsizetype offset) const;
    // Keys given again in the same object (QJsonDocument keeps one silently), where repeated.
    struct Duplicate {
        QString path;
        Position position;
    };
    QList<Duplicate> duplicates() const;

    static QString child(const QString &path, const QString &key);
    static QString element(const QString &path, qsizetype index);

private:
    void skipSpace();
    bool scanValue(const QString &path, int depth);
    bool scanString(QString *decoded);
    qsizetype nearest(const QHash<QString, qsizetype> &map, const QString &path) const;

    QByteArray m_text;
    qsizetype m_pos = 0;
    QList<qsizetype> m_lineStarts;
    QHash<QString, qsizetype> m_keys;
    QHash<QString, qsizetype> m_values;
    QList<std::pair<QString, qsizetype>> m_duplicates;
};

} // namespace drover
