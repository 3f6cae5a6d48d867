// raytest part: generator tasks and actor methods (goray::Generator<T>).
#include "parts.h"

namespace raytest {

void RegisterStreams(goray::Registry& registry) { (void)registry; }

}  // namespace raytest
