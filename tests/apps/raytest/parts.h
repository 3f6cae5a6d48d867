// The parts of the raytest library that live in tests/apps/raytest/: each registers
// its tasks and actor types; raytest.cpp's RegisterApplication calls them.
#pragma once

#include <goray/goray.h>

namespace raytest {

void RegisterStreams(goray::Registry& registry);          // streams.cpp: generator tasks and methods
void RegisterStreamConsumers(goray::Registry& registry);  // stream_consumers.cpp: C++ consuming streams
void RegisterThreaded(goray::Registry& registry);         // threaded.cpp: threaded actors, groups, async

}  // namespace raytest
