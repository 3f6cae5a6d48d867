// Values the driver sent ahead of their Get: a stream item's inline value (NextStreamRef,
// docs/protocol.md §13) or a ready object read ahead with a single Get (GetObjects with
// flag 2, §11). The first Fetch of that ref reads its value here instead of asking the
// driver; the entry goes with that Fetch or with the ref's last copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "goray/detail/driver_call.h"

namespace goray::detail {

void KeepPrefetched(std::uint64_t id, DriverBytes value);
// Keeps a copy of `value` (a view into a reply that is freed after).
void KeepPrefetchedCopy(std::uint64_t id, std::string_view value);
std::optional<DriverBytes> TakePrefetched(std::uint64_t id);
void DropPrefetched(std::uint64_t id);
bool HasPrefetched(std::uint64_t id);
// The bytes of all values kept now.
std::size_t PrefetchedBytes();

}  // namespace goray::detail
