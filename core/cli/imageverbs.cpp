// `drover image …` verbs.
#include "cli/cli.h"

namespace drover {

QList<Verb> imageVerbs()
{
    return {};
}

} // namespace drover
