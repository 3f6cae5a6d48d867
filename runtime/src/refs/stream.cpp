// goray::Stream's driver commands: NextStreamRef (Native2Py 36, asking for the items'
// values inline, kept for their refs' first Fetch, and for every item already produced
// in one reply) and the cancel of a stream (CancelObject 9), docs/protocol.md §13.
// Tests: tests/cpp/stream_test.cpp, tests/fuzz/stream_fuzz.cpp
#include "goray/stream.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

#include "features/driver_session.h"
#include "framing/framing.h"
#include "refs/prefetched.h"
#include "goray/detail/submission.h"
#include "goray/detail/protocol_numbers.h"
#include "calls_out/submission_queue.h"

namespace goray::detail {
namespace {

std::string Describe(std::uint64_t stream_id) { return "stream " + std::to_string(stream_id); }

// Whether a code-1 reply to NextStreamRef comes from a driver that knows streams:
// a structured failure or its answer for an id that is no stream. Any other text is a
// driver's "unknown command" (GoRay's, or goray's before protocol version 5), which only
// ever gets here through a stream that driver created without knowing it.
bool KnowsStreams(std::string_view text) {
  return text.find("is not a stream") != std::string_view::npos || IsStructuredFailure(text);
}

// NextStreamRef's flags (docs/protocol.md §13): kNextStreamRefWithValue, the item's value
// inline, and kNextStreamRefAllReady, every item already produced after it (the batch form,
// tag kStreamTagBatch; a driver that does not know it ignores it and replies one item).
// Set when the driver refused the 24-byte request (a driver of protocol version 5
// from before the flags): every later request is the 16-byte form.
std::atomic<bool> g_flags_refused{false};

bool RefusedFlags(const DriverReply& reply) {
  return reply.code == kFailed &&
         reply.data.view().find("a request is 16 bytes") != std::string_view::npos;
}


// The item's id, and its value after the tag byte 01 when the driver inlined it.
std::uint64_t AdoptItem(const DriverReply& reply, const std::string& what) {
  const std::string_view data = reply.data.view();
  const std::uint64_t id = ParseId(data.substr(0, std::min<std::size_t>(data.size(), 8)), what);
  if (data.size() > 9 && data[8] == kStreamTagItem) KeepPrefetchedCopy(id, data.substr(9));
  return id;
}

// The batch form: u64 first id, 02, u32 count (>= 1), u8 ended, then count entries of
// (u64 id, u32 value length (0: none), value). Checked whole before any value is kept;
// a malformed reply throws ProtocolError (its ids stay the driver's).
StreamItems AdoptBatch(std::string_view data, const std::string& what) {
  auto malformed = [&](const std::string& why) {
    return ProtocolError("NextStreamRef of " + what + ": a malformed batch reply (" + why + ", " +
                         std::to_string(data.size()) + " bytes)");
  };
  constexpr std::size_t kHead = 8 + 1 + 4 + 1;
  constexpr std::size_t kEntryHead = 8 + 4;
  if (data.size() < kHead) throw malformed("shorter than its head");
  const std::uint32_t count = ReadU32(data.data() + 9);
  const unsigned char ended = static_cast<unsigned char>(data[13]);
  if (count == 0 || ended > 1) throw malformed("a count of 0 or an ended byte over 1");
  std::size_t at = kHead;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (data.size() - at < kEntryHead) throw malformed("item " + std::to_string(i) + " is cut short");
    const std::uint32_t length = ReadU32(data.data() + at + 8);
    at += kEntryHead;
    if (data.size() - at < length) throw malformed("the value of item " + std::to_string(i) + " is cut short");
    at += length;
  }
  if (at != data.size()) throw malformed("bytes after the last item");
  if (ReadU64(data.data()) != ReadU64(data.data() + kHead)) throw malformed("the first id differs from the first item's");
  StreamItems items;
  items.ids.reserve(count);
  items.ended = ended == 1;
  at = kHead;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t id = ReadU64(data.data() + at);
    const std::uint32_t length = ReadU32(data.data() + at + 8);
    at += kEntryHead;
    if (length != 0) KeepPrefetchedCopy(id, data.substr(at, length));
    at += length;
    items.ids.push_back(id);
  }
  return items;
}

// As CallDriver, but queued releases alone are left to the flusher (which sends them
// with company, or after its delay): one trip into Python per item, not two.
// Queued submissions still go first, as before any other command.
DriverReply CallNext(std::string_view request) {
  if (SubmissionsQueued()) FlushSubmissions();
  return SendToDriver(kNextStreamRef, request);
}

}  // namespace

void ForgetStreamRequestForm() noexcept { g_flags_refused.store(false, std::memory_order_relaxed); }

StreamItems NextStreamRefs(std::uint64_t stream_id, double timeout_seconds) {
  std::string request;
  AppendU64(request, stream_id);
  AppendU64(request, std::bit_cast<std::uint64_t>(timeout_seconds < 0 ? kForever : timeout_seconds));
  DriverReply reply;
  bool asked = false;
  if (!g_flags_refused.load(std::memory_order_relaxed)) {
    std::string with_flags = request;
    AppendU64(with_flags, kNextStreamRefWithValue | kNextStreamRefAllReady);
    reply = CallNext(with_flags);
    asked = true;
    if (RefusedFlags(reply)) {
      g_flags_refused = true;
      asked = false;
    }
  }
  if (!asked) reply = CallNext(request);
  const std::string what = Describe(stream_id);
  if (reply.code == kFailed && !KnowsStreams(reply.data.view())) {
    throw PythonError("goray::Error",
                      "this driver does not know streams (it answered NextStreamRef, Native2Py 36, "
                      "with: " + std::string(reply.data.view()) +
                          "); streams need goray's driver of protocol version 5",
                      what);
  }
  if (reply.code != kSuccess) ThrowDriverFailure(reply, what);
  const std::string_view data = reply.data.view();
  if (data.empty()) return StreamItems{{}, true};  // the generator finished
  if (data.size() > 8 && data[8] == kStreamTagBatch) return AdoptBatch(data, what);
  return StreamItems{{AdoptItem(reply, what)}, false};
}

void CancelStream(std::uint64_t stream_id, bool force) {
  std::string json = R"({"force":)";
  json += force ? "true" : "false";
  json += R"(,"object_ref_local_id":)" + std::to_string(stream_id) + '}';
  DriverReply reply = CallDriver(kCancelObject, json);
  if (reply.code != kSuccess) ThrowDriverFailure(reply, Describe(stream_id));
}

}  // namespace goray::detail
