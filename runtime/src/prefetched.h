// Item values the driver sent ahead with their ref (NextStreamRef's inline value,
// docs/protocol.md §13): the first Fetch of that ref reads its value here instead of
// asking GetObject; the entry goes with that Fetch or with the ref's last copy.
#pragma once

#include <cstdint>
#include <optional>

#include "goray/detail/driver_call.h"

namespace goray::detail {

void KeepPrefetched(std::uint64_t id, DriverBytes value);
std::optional<DriverBytes> TakePrefetched(std::uint64_t id);
void DropPrefetched(std::uint64_t id);

}  // namespace goray::detail
