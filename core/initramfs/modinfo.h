// What a kernel module file says about itself in its .modinfo section: the modules it
// depends on ("depends=", written by modpost) and its soft dependencies ("softdep="). Read
// before depmod has run — a freshly unpacked kernel has no modules.dep, and running depmod
// over every module only to delete most of them costs many seconds.
#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

namespace drover {

struct ModuleInfo {
    QStringList depends; // module names
    QStringList softdeps; // names (or aliases) from "pre:" and "post:"
};

// Reads a .ko, .ko.xz, .ko.zst or .ko.gz file.
Result<ModuleInfo> readModuleInfo(const QString &path);
// Parses the NUL-separated key=value strings of a module image.
ModuleInfo parseModuleInfo(const QByteArray &image);

} // namespace drover
