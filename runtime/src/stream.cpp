// goray::Stream's driver commands: NextStreamRef (Native2Py 36, asking for the item's
// value inline, kept for its ref's first Fetch) and the cancel of a stream (CancelObject 9),
// docs/protocol.md §13.
#include "goray/stream.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "framing.h"
#include "prefetched.h"
#include "goray/detail/submission.h"
#include "submission_queue.h"

namespace goray::detail {
namespace {

std::string Describe(std::uint64_t stream_id) { return "stream " + std::to_string(stream_id); }

// Whether a code-1 reply to NextStreamRef comes from a driver that knows streams:
// a structured failure (docs/protocol.md §9) or its answer for an id that is no
// stream. Any other text is a driver's "unknown command" (GoRay's, or goray's
// before protocol version 5), which only ever gets here through a stream that
// driver created without knowing it.
bool KnowsStreams(std::string_view text) {
  if (text.find("is not a stream") != std::string_view::npos) return true;
  const nlohmann::json failure = nlohmann::json::parse(text, nullptr, false);
  return failure.is_object() && failure.contains("Error");
}

// NextStreamRef's flag asking for the item's value inline (docs/protocol.md §13).
constexpr std::uint64_t kWithValue = 1;
// Set when the driver refused the 24-byte request (a driver of protocol version 5
// from before the flags): every later request is the 16-byte form.
std::atomic<bool> g_flags_refused{false};

bool RefusedFlags(const DriverReply& reply) {
  return reply.code == 1 &&
         reply.data.view().find("a request is 16 bytes") != std::string_view::npos;
}

// The values the driver sent ahead, by object id.
struct PrefetchTable {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, DriverBytes> values;
  std::atomic<std::size_t> size{0};  // read without the lock: most refs never had a value
};
PrefetchTable& Prefetched() {
  static PrefetchTable* table = new PrefetchTable;  // never destroyed: refs die at exit too
  return *table;
}

// The item's id, and its value after the tag byte 01 when the driver inlined it.
std::uint64_t AdoptItem(const DriverReply& reply, const std::string& what) {
  const std::string_view data = reply.data.view();
  const std::uint64_t id = ParseId(data.substr(0, std::min<std::size_t>(data.size(), 8)), what);
  if (data.size() > 9 && data[8] == '\x01') {
    const std::string_view value = data.substr(9);
    void* copy = std::malloc(value.size());
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, value.data(), value.size());
    KeepPrefetched(id, DriverBytes(copy, value.size()));
  }
  return id;
}

// As CallDriver, but queued releases alone are left to the flusher (which sends them
// with company, or after its delay): one trip into Python per item, not two.
// Queued submissions still go first, as before any other command.
DriverReply CallNext(std::string_view request) {
  if (SubmissionsQueued()) FlushSubmissions();
  return SendToDriver(kNextStreamRef, request);
}

}  // namespace

void KeepPrefetched(std::uint64_t id, DriverBytes value) {
  PrefetchTable& table = Prefetched();
  std::lock_guard<std::mutex> lock(table.mutex);
  table.values.insert_or_assign(id, std::move(value));
  table.size = table.values.size();
}

std::optional<DriverBytes> TakePrefetched(std::uint64_t id) {
  PrefetchTable& table = Prefetched();
  if (table.size.load(std::memory_order_relaxed) == 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(table.mutex);
  auto found = table.values.find(id);
  if (found == table.values.end()) return std::nullopt;
  DriverBytes value = std::move(found->second);
  table.values.erase(found);
  table.size = table.values.size();
  return value;
}

void DropPrefetched(std::uint64_t id) { TakePrefetched(id); }

std::optional<std::uint64_t> NextStreamRef(std::uint64_t stream_id, double timeout_seconds) {
  std::string request;
  AppendU64(request, stream_id);
  AppendU64(request, std::bit_cast<std::uint64_t>(timeout_seconds < 0 ? kForever : timeout_seconds));
  DriverReply reply;
  bool asked = false;
  if (!g_flags_refused.load(std::memory_order_relaxed)) {
    std::string with_flags = request;
    AppendU64(with_flags, kWithValue);
    reply = CallNext(with_flags);
    asked = true;
    if (RefusedFlags(reply)) {
      g_flags_refused = true;
      asked = false;
    }
  }
  if (!asked) reply = CallNext(request);
  const std::string what = Describe(stream_id);
  if (reply.code == 1 && !KnowsStreams(reply.data.view())) {
    throw PythonError("goray::Error",
                      "this driver does not know streams (it answered NextStreamRef, Native2Py 36, "
                      "with: " + std::string(reply.data.view()) +
                          "); streams need goray's driver of protocol version 5",
                      what);
  }
  if (reply.code != 0) ThrowDriverFailure(reply, what);
  if (reply.data.view().empty()) return std::nullopt;  // the generator finished
  return AdoptItem(reply, what);
}

void CancelStream(std::uint64_t stream_id, bool force) {
  std::string json = R"({"force":)";
  json += force ? "true" : "false";
  json += R"(,"object_ref_local_id":)" + std::to_string(stream_id) + '}';
  DriverReply reply = CallDriver(kCancelObject, json);
  if (reply.code != 0) ThrowDriverFailure(reply, Describe(stream_id));
}

}  // namespace goray::detail
