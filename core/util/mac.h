// MAC addresses as Drover stores them: six lower-case hex pairs joined by colons.
#pragma once

#include <QString>

#include <optional>

namespace drover {

// Accepts aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff and aabbccddeeff.
std::optional<QString> normalizeMac(const QString &text);

} // namespace drover
