// The GetObject (command 6) request, sent by a single Get and by a batch Get to a
// driver without GetObjects; a single Get as GetObjects (34) of one id where the
// driver has it; and the lent answer of any of them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "goray/object_ref.h"

namespace goray::detail {

// "[id, timeout, false]": a negative timeout waits without a limit. `lend` adds the
// 4th element 1: the driver may lend the object store's memory (docs/protocol.md §10).
std::string GetObjectRequest(std::uint64_t id, double timeout_seconds, bool lend = false);

// A single Get as GetObjects (command 34) of `id` (pipelined drivers: a binary request
// where GetObject's is JSON). Failures, the request's or the object's, are thrown
// naming `what`, as GetObject's are.
FetchedObject GetOneObject(std::uint64_t id, double timeout_seconds, bool lend, std::string_view what);

// A code-0 answer to a lend request (a GetObject reply, or one GetObjects entry):
// `body` is u64 LE lent id (0: nothing lent) then the payload, kept alive by `owner`.
// With a lent id, the result's owner keeps `owner` and releases the lent id when its
// last user is gone (docs/protocol.md §10). `reply` names the answer in errors.
FetchedObject AdoptLent(std::string_view body, std::shared_ptr<void> owner,
                        std::string_view reply, std::string_view what);

}  // namespace goray::detail
