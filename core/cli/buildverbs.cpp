// `drover build …` verbs.
#include "cli/cli.h"

namespace drover {

QList<Verb> buildVerbs()
{
    return {};
}

} // namespace drover
