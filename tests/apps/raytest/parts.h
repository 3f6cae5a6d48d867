// The parts of the raytest library that live in tests/apps/raytest/: each registers
// its tasks and actor types; raytest.cpp's RegisterApplication calls them.
#pragma once

#include <goray/goray.h>

#include <string>
#include <vector>

namespace raytest {

void RegisterStreams(goray::Registry& registry);          // streams.cpp: generator tasks and methods
void RegisterStreamConsumers(goray::Registry& registry);  // stream_consumers.cpp: C++ consuming streams
void RegisterThreaded(goray::Registry& registry);         // threaded.cpp: threaded actors, groups, async
void RegisterArraysOutOfBand(goray::Registry& registry);  // arrays_out_of_band.cpp: arrays on Ray, driver side
void RegisterBatchLend(goray::Registry& registry);        // batch_lend.cpp: a batch Get of views
void RegisterGetsInOrder(goray::Registry& registry);      // gets_in_order.cpp: Gets one by one, read ahead
void RegisterDataBatches(goray::Registry& registry);      // data_batches.cpp: Ray Data batches (goray.data)
void RegisterStringColumns(goray::Registry& registry);    // string_columns.cpp: string columns on Ray and in Ray Data
int ThreadedScenario(const std::vector<std::string>& args);  // threaded.cpp: the driver's "threaded" scenario
void RegisterCrashes(goray::Registry& registry);          // crashes.cpp: tasks, a method, the driver crashing
int CrashScenario(const std::vector<std::string>& args);  // crashes.cpp: the driver's "crash KIND" scenario
int CrashReportsScenario();                               // crashes.cpp: the driver's "crash_reports" scenario
void RegisterGraphs(goray::Registry& registry);           // graph_stage.cpp: a stage actor for ray.dag graphs
int GraphScenario(const std::vector<std::string>& args);  // graph_driver.cpp: the "graph..." scenarios (goray::Graph)
void RegisterMaps(goray::Registry& registry);             // maps.cpp: goray.map's tasks and actors
int MapScenario();                                        // maps.cpp: the driver's "map" scenario (goray::Map)

}  // namespace raytest
