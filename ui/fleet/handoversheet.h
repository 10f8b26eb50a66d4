// Saving the hand-over sheet (core/inventory/handover.h) as the technician wants it: a PDF
// to print or mail (Qt's PDF writer, A4), or the HTML page itself. Written whole or not at
// all.
#pragma once

#include "util/result.h"

#include <QString>

namespace drover {

// By the file's suffix: .pdf writes a PDF, anything else the HTML.
Status saveHandoverSheet(const QString &path, const QString &html);

} // namespace drover
