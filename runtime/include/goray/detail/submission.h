// Pipelined submissions (feature 1, docs/protocol.md §11): remote calls and
// releases are queued as SubmitBatch records and sent by a flusher thread, or by
// the next command that needs the driver to have them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "goray/detail/buffer.h"
#include "goray/detail/pins.h"
#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

// SubmitBatch's record kinds (RecordKind) are protocol_numbers.h's.

// Ids the runtime assigns to the results of queued submissions.
inline constexpr std::uint64_t kRuntimeIdBit = std::uint64_t{1} << 63;

// A task or actor call to queue.
struct QueuedCall {
  RecordKind kind = kRecordTask;
  std::uint64_t actor_id = 0;           // kRecordActorCall only
  std::string_view name;                // task, Python task or method name
  std::string_view option_members;      // the user's options: ',"key":value...' or empty
  const std::vector<std::pair<std::size_t, std::uint64_t>>* refs = nullptr;  // position, id
  codec::Buffer* args = nullptr;        // the args block starts at args_offset; moved from
  std::size_t args_offset = 0;
  Pins* pins = nullptr;                 // states kept until the record is sent; moved from
  std::string_view callee;              // for error messages
};

// Queues a call and returns its result id ((1 << 63) | counter).
std::uint64_t EnqueueCall(QueuedCall&& call);
// Queues the release of an object (kRecordReleaseObject) or actor (kRecordReleaseActor).
void EnqueueRelease(RecordKind kind, std::uint64_t id);
// Sends whatever is queued and waits for batches other threads are sending, so
// everything queued before the call has reached the driver. Cheap when nothing
// is queued. Failures are kept per result id (Get throws them), never thrown here.
void FlushSubmissions();

// Counters of the queue (for tests and diagnostics).
struct SubmissionStats {
  std::size_t queued_records = 0;   // queued now, not yet taken for sending
  std::size_t inline_sends = 0;     // times a caller past the limit sent the queue itself
};
SubmissionStats GetSubmissionStats();

}  // namespace goray::detail
