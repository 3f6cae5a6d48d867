// raytest part: tasks that consume streams from C++ (goray::Stream).
#include "parts.h"

namespace raytest {

void RegisterStreamConsumers(goray::Registry& registry) { (void)registry; }

}  // namespace raytest
