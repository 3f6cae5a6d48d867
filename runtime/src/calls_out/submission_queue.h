// The runtime side of pipelined submissions that other runtime files use:
// failures of batches that never reached the driver, kept per result id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

// A queued submission whose SubmitBatch failed as a whole (the driver answered a
// non-zero code or could not be called): Get, GetObjects and Wait of its result
// id throw this instead of asking the driver about an id it never saw.
struct LostSubmission {
  long long code = kFailed;
  std::string text;
  std::string callee;
};

std::optional<LostSubmission> FindLostSubmission(std::uint64_t id);

// Whether records other than releases are queued (releases alone wait for company).
bool SubmissionsQueued();

// Forgets which option sets were defined: each is defined again (under a new id) before
// its next use. For a driver turning features on, which may not know the earlier ones.
void ForgetOptionSets();

// Stops the flusher for good (process exit or unload): nothing queued afterwards
// is sent. Runs from a static destructor.
void ShutDownSubmissions() noexcept;
// Whether ShutDownSubmissions ran: the process is exiting (or the library unloading),
// so no release may call the driver any more.
bool SubmissionsShutDown() noexcept;

}  // namespace goray::detail
