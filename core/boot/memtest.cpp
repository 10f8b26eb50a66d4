#include "boot/memtest.h"

#include <QFileInfo>

namespace drover {

bool MemtestFiles::installed() const
{
    return QFileInfo(bios).isFile() && QFileInfo(efi).isFile();
}

} // namespace drover
