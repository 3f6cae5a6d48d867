// GetObjects (Native2Py 34): one request for many ids and its reply read into entries,
// sent by a single Get of a pipelined driver (object_ref.cpp) and by batches (batch.cpp).
// Both are above this module: they pass in how a lent answer is adopted (an ObjectRef
// owns the lent id), as AdoptLentEntry in get_object_request.h does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

// One object's answer as GetObject would give it: code 0 and the payload, kept alive by
// `owner` (`lent`: its ext 72 point into the driver's memory, lent until `owner`'s last
// copy goes), or a failure code and its text. batch.h's ObjectReply adds the refs found
// in the payload.
struct ObjectEntry {
  long long code = kSuccess;
  std::string_view payload;
  std::shared_ptr<void> owner;
  bool lent = false;
  std::string what;  // names the object in errors
};

// "object N": how an entry names its object.
std::string DescribeObject(std::uint64_t id);

// Sets `entry`'s payload, owner and lent from a code-0 answer to a lend request: `body`
// (kept by `owner`) starts with its lent id (docs/protocol.md §10). `reply` names the
// answer in errors.
using LentAdopter = void (*)(ObjectEntry& entry, std::string_view body, std::shared_ptr<void> owner,
                             std::string_view reply);

// A code-0 answer (`body`, kept by `owner`) as `entry`; one to a lend request (`lend`)
// starts with its lent id, which `adopt_lent` takes.
void FillEntry(ObjectEntry& entry, std::string_view body, std::shared_ptr<void> owner, bool lend,
               std::string_view reply, LentAdopter adopt_lent);

// One GetObjects round trip for ids the driver knows; fills `entries` at `slots`.
// `lend`: a trailing flags byte 1 asks for each entry's arrays lent. `ahead`: ids after
// the first are read ahead (flag 2): their values, never lent, are kept for their first
// Get when the driver sends them, and `slots` names the first alone. A failure of the
// request as a whole is thrown naming `what` (default: "Get of N objects").
void GetObjectsBatch(const std::vector<std::uint64_t>& ids, const std::vector<std::size_t>& slots,
                     double timeout_seconds, bool lend, std::vector<ObjectEntry>& entries,
                     LentAdopter adopt_lent, std::string_view what = {}, bool ahead = false,
                     std::size_t* kept = nullptr);

// A single Get as GetObjects (command 34) of `id` (pipelined drivers: a binary request
// where GetObject's is JSON), with live refs after it read ahead when kFeatureGetAhead
// is on. Failures, the request's or the object's, are thrown naming `what`, as
// GetObject's are: the entry returned has code 0.
ObjectEntry GetOneObject(std::uint64_t id, double timeout_seconds, bool lend, LentAdopter adopt_lent,
                         std::string_view what);

}  // namespace goray::detail
