// raytest part: threaded actors, concurrency groups, C++ calling Python async actors.
#include "parts.h"

namespace raytest {

void RegisterThreaded(goray::Registry& registry) { (void)registry; }

}  // namespace raytest
