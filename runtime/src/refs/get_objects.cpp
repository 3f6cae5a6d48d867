// GetObjects (Native2Py 34) on the wire: the request for many ids, its reply read into
// entries, and a single Get as GetObjects of its id with live refs after it read ahead
// (kFeatureGetAhead). Below ObjectRef's Get and the batches, which both send it.
// Tests: tests/cpp/get_objects_lend_test.cpp
#include "refs/get_objects.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "features/driver_session.h"
#include "framing/framing.h"
#include "goray/detail/driver_call.h"
#include "goray/detail/features.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/errors.h"
#include "refs/live_refs.h"
#include "refs/prefetched.h"

namespace goray::detail {
namespace {

// Reading ahead (kFeatureGetAhead): at most this many live refs after a single Get's own
// ride along, and none while the values kept for first Gets reach this many bytes (refs
// that are handed on rather than read keep theirs until they go).
constexpr std::size_t kAheadIds = 63;
constexpr std::size_t kAheadKeptBytes = std::size_t{8} << 20;

// After a Get read ahead and none of the refs it named was ready (results still running,
// a loop that caught up with them), the next `g_ahead_skip` single Gets name none: the
// driver's look costs more than nothing. The pause doubles with each such Get, up to 64,
// and ends at the first that brings a value. Relaxed: a heuristic shared by threads.
std::atomic<std::uint32_t> g_ahead_skip{0};
std::atomic<std::uint32_t> g_ahead_pause{1};
constexpr std::uint32_t kAheadMaxPause = 64;

bool ReadAheadNow() {
  std::uint32_t skip = g_ahead_skip.load(std::memory_order_relaxed);
  if (skip == 0) return true;
  g_ahead_skip.store(skip - 1, std::memory_order_relaxed);
  return false;
}

void AfterReadAhead(std::size_t kept) {
  if (kept != 0) {
    g_ahead_pause.store(1, std::memory_order_relaxed);
    return;
  }
  const std::uint32_t pause = g_ahead_pause.load(std::memory_order_relaxed);
  g_ahead_skip.store(pause, std::memory_order_relaxed);
  g_ahead_pause.store(std::min(pause * 2, kAheadMaxPause), std::memory_order_relaxed);
}

}  // namespace

void RestartReadAhead() noexcept {
  g_ahead_skip.store(0, std::memory_order_relaxed);
  g_ahead_pause.store(1, std::memory_order_relaxed);
}

namespace {

void AppendF64(std::string& out, double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, 8);
  AppendU64(out, bits);
}

[[noreturn]] void ThrowMalformed(const std::string& why) {
  throw ProtocolError("goray::ProtocolError", "malformed GetObjects reply: " + why, "Get");
}

}  // namespace

std::string DescribeObject(std::uint64_t id) { return "object " + std::to_string(id); }

void FillEntry(ObjectEntry& entry, std::string_view body, std::shared_ptr<void> owner, bool lend,
               std::string_view reply, LentAdopter adopt_lent) {
  if (!lend) {
    entry.payload = body;
    entry.owner = std::move(owner);
    return;
  }
  adopt_lent(entry, body, std::move(owner), reply);
}

void GetObjectsBatch(const std::vector<std::uint64_t>& ids, const std::vector<std::size_t>& slots,
                     double timeout_seconds, bool lend, std::vector<ObjectEntry>& entries,
                     LentAdopter adopt_lent, std::string_view what, bool ahead, std::size_t* kept) {
  std::string request;
  request.reserve(13 + 8 * ids.size());
  AppendF64(request, timeout_seconds < 0 ? -1.0 : timeout_seconds);
  const auto count = static_cast<std::uint32_t>(ids.size());
  for (int i = 0; i < 4; ++i) request.push_back(static_cast<char>((count >> (8 * i)) & 0xff));
  for (std::uint64_t id : ids) AppendU64(request, id);
  const char flags = static_cast<char>((lend ? kGetObjectsLend : 0U) | (ahead ? kGetObjectsAhead : 0U));
  if (flags != 0) request.push_back(flags);
  DriverReply reply = CallDriver(kGetObjects, request);
  if (reply.code != kSuccess) {
    ThrowDriverFailure(reply, what.empty() ? "Get of " + std::to_string(ids.size()) + " objects"
                                           : std::string(what));
  }
  const std::string_view body = reply.data.view();
  std::shared_ptr<void> owner = std::move(reply.data).Share();
  std::size_t at = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (body.size() - at < 12) ThrowMalformed("entry " + std::to_string(i) + " is truncated");
    const std::uint32_t code = ReadU32(body.data() + at);
    const std::uint64_t length = ReadU64(body.data() + at + 4);
    at += 12;
    if (length > body.size() - at) ThrowMalformed("entry " + std::to_string(i) + " is past the end");
    if (ahead && i > 0) {  // read ahead: kept when sent (code 0), else left for its own Get
      if (code == kSuccess) {
        KeepPrefetchedCopy(ids[i], body.substr(at, length));
        if (kept != nullptr) ++*kept;
      }
      at += length;
      continue;
    }
    ObjectEntry& entry = entries[slots[i]];
    entry.code = code;
    entry.what = DescribeObject(ids[i]);
    // Failures have no prefix.
    FillEntry(entry, body.substr(at, length), owner, lend && code == kSuccess, "a GetObjects entry",
              adopt_lent);
    at += length;
  }
  if (at != body.size()) ThrowMalformed(std::to_string(body.size() - at) + " bytes after the entries");
}

ObjectEntry GetOneObject(std::uint64_t id, double timeout_seconds, bool lend, LentAdopter adopt_lent,
                         std::string_view what) {
  std::vector<ObjectEntry> entries(1);
  std::vector<std::uint64_t> ids{id};
  if (FeatureOn(kFeatureGetAhead) && PrefetchedBytes() < kAheadKeptBytes && ReadAheadNow()) {
    const std::vector<std::uint64_t> after = LiveRefsAfter(id, kAheadIds);
    ids.insert(ids.end(), after.begin(), after.end());
  }
  const bool ahead = ids.size() > 1;
  std::size_t kept = 0;
  GetObjectsBatch(ids, {0}, timeout_seconds, lend, entries, adopt_lent, what, ahead, &kept);
  if (ahead) AfterReadAhead(kept);
  ObjectEntry& entry = entries[0];
  if (entry.code != kSuccess) ThrowDriverFailure(entry.code, entry.payload, what);
  return std::move(entry);
}

}  // namespace goray::detail
