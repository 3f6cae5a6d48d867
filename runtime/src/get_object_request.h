// The GetObject (command 6) request, sent by a single Get and by a batch Get to a
// driver without GetObjects.
#pragma once

#include <cstdint>
#include <string>

namespace goray::detail {

// "[id, timeout, false]": a negative timeout waits without a limit.
std::string GetObjectRequest(std::uint64_t id, double timeout_seconds);

}  // namespace goray::detail
