#include "util/mac.h"

namespace drover {

std::optional<QString> normalizeMac(const QString &text)
{
    QString hex;
    for (QChar c : text) {
        if (c == QLatin1Char(':') || c == QLatin1Char('-') || c == QLatin1Char('.'))
            continue;
        const char16_t u = c.unicode();
        if (!((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F')))
            return std::nullopt;
        hex.append(c.toLower());
    }
    if (hex.size() != 12)
        return std::nullopt;
    QString mac;
    for (int i = 0; i < 12; i += 2) {
        if (i)
            mac.append(QLatin1Char(':'));
        mac.append(QStringView(hex).mid(i, 2));
    }
    return mac;
}

} // namespace drover
