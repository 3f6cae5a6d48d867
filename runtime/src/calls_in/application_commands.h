// The Py2Native commands about the application as a whole (docs/protocol.md §3, §13):
// its init options, driver, names and description, from its registry.
#pragma once

#include <string_view>

#include "calls_in/reply.h"
#include "goray/registry.h"

namespace goray::detail {

// GetInitOptions: the ray.init options the application declared (JSON).
Reply InitOptions(const Registry& registry);
// StartDriver: runs the driver with the arguments `payload` holds (our driver's JSON
// array of strings; GoRay's sends none); its int result as decimal text.
Reply StartDriver(const Registry& registry, std::string_view payload);
// GetTaskActorList: [[task names], [actor type names]] (JSON).
Reply TaskActorList(const Registry& registry);
// GetActorMethods: the method names of actor type `type_name` (JSON).
Reply ActorMethods(const Registry& registry, std::string_view type_name);
// DescribeApplication: tasks, actors and their traits (JSON, docs/protocol.md §13).
Reply DescribeApplication(const Registry& registry);

}  // namespace goray::detail
