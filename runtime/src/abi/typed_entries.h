// The typed entries' table (docs/protocol.md §17) that GorayTypedEntries hands out, and
// how one typed call runs (goray/detail/typed_entry.h declares RunTyped).
#pragma once

#include <cstdint>

#include "goray/detail/typed_entry.h"

namespace goray::detail {

// The application's table when `abi` is kTypedEntriesAbi, else null; made on first use
// (which builds the application's registry, as the first Execute does).
const TypedEntries* TypedEntriesTable(std::uint64_t abi) noexcept;

}  // namespace goray::detail
