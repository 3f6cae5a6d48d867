// The object ids of the ObjectRefs alive in this process, counted while the driver reads
// ahead for single Gets (EnableFeatures bit 8, docs/protocol.md §11): a Get that goes to
// the driver names the live refs made after its own, and the driver sends the values of
// those already there with its answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace goray::detail {

void AddLiveRef(std::uint64_t id);
void DropLiveRef(std::uint64_t id);
// Up to `max` live ids after `id`, in order, without a value kept already (prefetched.h).
std::vector<std::uint64_t> LiveRefsAfter(std::uint64_t id, std::size_t max);

}  // namespace goray::detail
