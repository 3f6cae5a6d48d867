// The GetObject (command 6) request, sent by a single Get and by a batch Get to a
// driver without GetObjects, and the lent answer of either or of GetObjects (34,
// get_objects.h), which an ObjectRef of the lent id keeps.
// Tests: tests/cpp/get_lend_test.cpp
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "refs/get_objects.h"
#include "goray/object_ref.h"

namespace goray::detail {

// "[id, timeout, false]": a negative timeout waits without a limit. `lend` adds the
// 4th element 1: the driver may lend the object store's memory (docs/protocol.md §10).
std::string GetObjectRequest(std::uint64_t id, double timeout_seconds, bool lend = false);

// A code-0 answer to a lend request (a GetObject reply, or one GetObjects entry):
// `body` is u64 LE lent id (0: nothing lent) then the payload, kept alive by `owner`.
// With a lent id, the result's owner keeps `owner` and releases the lent id when its
// last user is gone (docs/protocol.md §10). `reply` names the answer in errors.
FetchedObject AdoptLent(std::string_view body, std::shared_ptr<void> owner,
                        std::string_view reply, std::string_view what);
// AdoptLent into a GetObjects entry (get_objects.h's LentAdopter), naming entry.what.
void AdoptLentEntry(ObjectEntry& entry, std::string_view body, std::shared_ptr<void> owner,
                    std::string_view reply);

}  // namespace goray::detail
