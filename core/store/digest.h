// Digest: a content address "sha256:<64 lower-case hex>". Everything that reaches the
// filesystem by digest is checked by isValid() first, so a client-supplied string can never
// name a path.
#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QString>

#include <optional>

namespace drover {

class Digest {
public:
    Digest() = default;
    // Accepts exactly "sha256:" followed by 64 lower-case hex digits.
    static std::optional<Digest> parse(QStringView text);
    static Digest ofBytes(QByteArrayView bytes);
    static Digest fromHex(const QString &hex); // hex must be 64 lower-case hex digits

    bool isNull() const { return m_hex.isEmpty(); }
    QString hex() const { return m_hex; }
    QString toString() const { return m_hex.isEmpty() ? QString() : QStringLiteral("sha256:") + m_hex; }
    QString shortHex() const { return m_hex.left(12); }

    friend bool operator==(const Digest &, const Digest &) = default;
    friend size_t qHash(const Digest &d, size_t seed = 0) { return ::qHash(d.m_hex, seed); }

private:
    QString m_hex;
};

bool isSha256Hex(QStringView hex);

} // namespace drover
