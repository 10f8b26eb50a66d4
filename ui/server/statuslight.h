// The round status light of the server panel and the server strip: one look for both, so a
// green dot means the same thing wherever it is.
#pragma once

#include <QColor>
#include <QString>

namespace drover {

inline QString statusLightStyle(const QColor &color)
{
    return QStringLiteral("QLabel { background-color: %1; border-radius: 6px; border: 1px solid rgba(0,0,0,60); }")
        .arg(color.name());
}

} // namespace drover
