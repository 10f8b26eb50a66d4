// A recipe's users, written into an image by editing its passwd, shadow, group and gshadow
// files directly rather than running useradd in a chroot: no random salts, no clock, the
// same recipe always gives the same files. Existing users (root) get their keys, password
// and shell updated; new users get a home from /etc/skel and a private group.
#pragma once

#include "builder/recipe.h"
#include "util/result.h"

namespace drover {

// `days` is the shadow "last changed" field (SOURCE_DATE_EPOCH in days).
Status applyImageUsers(const QString &root, const QList<RecipeUser> &users, qint64 days);

} // namespace drover
