#include "store/digest.h"

#include <QCryptographicHash>

namespace drover {

bool isSha256Hex(QStringView hex)
{
    if (hex.size() != 64)
        return false;
    for (QChar c : hex) {
        const char16_t u = c.unicode();
        if (!((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f')))
            return false;
    }
    return true;
}

std::optional<Digest> Digest::parse(QStringView text)
{
    if (!text.startsWith(u"sha256:") || !isSha256Hex(text.mid(7)))
        return std::nullopt;
    Digest d;
    d.m_hex = text.mid(7).toString();
    return d;
}

Digest Digest::ofBytes(QByteArrayView bytes)
{
    Digest d;
    d.m_hex = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    return d;
}

Digest Digest::fromHex(const QString &hex)
{
    Digest d;
    if (isSha256Hex(hex))
        d.m_hex = hex;
    return d;
}

} // namespace drover
