// The GetObject (command 6) request, sent by a single Get and by a batch Get to a
// driver without GetObjects.
#pragma once

#include <cstdint>
#include <string>

namespace goray::detail {

// "[id, timeout, false]": a negative timeout waits without a limit. `lend` adds the
// 4th element 1: the driver may lend the object store's memory (docs/protocol.md §10).
std::string GetObjectRequest(std::uint64_t id, double timeout_seconds, bool lend = false);

}  // namespace goray::detail
