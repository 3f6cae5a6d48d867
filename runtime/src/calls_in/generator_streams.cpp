// The stream table: each open stream has its own mutex, so streams run in parallel
// while one stream's items are produced one at a time; the table's lock is held only
// to look up, add or remove (docs/protocol.md §13).
// Tests: tests/cpp/streams_abi_test.cpp, tests/cpp/threaded_actor_test.cpp
#include "calls_in/generator_streams.h"

#include <chrono>
#include <string>
#include <utility>

#include "crash/crash_report.h"
#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

std::uint64_t StreamTable::Add(std::unique_ptr<ItemStream> items, std::string callee) {
  auto open = std::make_shared<Open>();
  open->items = std::move(items);
  open->callee = std::move(callee);
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint64_t id = next_id_++;
  open_.emplace(id, std::move(open));
  return id;
}

std::shared_ptr<StreamTable::Open> StreamTable::Find(std::uint64_t id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = open_.find(id);
  return found == open_.end() ? nullptr : found->second;
}

std::shared_ptr<StreamTable::Open> StreamTable::Take(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = open_.find(id);
  if (found == open_.end()) return nullptr;
  std::shared_ptr<Open> open = std::move(found->second);
  open_.erase(found);
  return open;
}

Reply StreamTable::Unknown(std::uint64_t id) {
  return TextReply(kFailed, "goray: no open stream " + std::to_string(id) +
                                " (never started, finished, failed or closed)");
}

std::shared_ptr<StreamTable::Open> StreamTable::Lock(std::uint64_t id, std::unique_lock<std::mutex>& lock,
                                                     Reply& instead) {
  std::shared_ptr<Open> open = Find(id);
  if (!open) {
    instead = Unknown(id);
    return nullptr;
  }
  if (open->resuming.load() == std::this_thread::get_id()) {
    // Its own body asked for its next item: a running coroutine cannot be resumed.
    instead = TextReply(kFailed, "goray: stream " + std::to_string(id) + " (" + open->callee +
                                     ") asked for its own next item from inside its generator");
    return nullptr;
  }
  lock = std::unique_lock<std::mutex>(open->mutex);
  if (!open->items) {  // closed or ended while this call waited
    lock = std::unique_lock<std::mutex>();  // unlocked while `open` still holds the mutex
    instead = Unknown(id);
    return nullptr;
  }
  if (open->failure) {  // a batch's generator threw after its items: this call answers it
    instead = std::move(*open->failure);
    Finish(id, *open, lock);
    return nullptr;
  }
  return open;
}

void StreamTable::Finish(std::uint64_t id, Open& open, std::unique_lock<std::mutex>& lock) {
  std::unique_ptr<ItemStream> finished = std::move(open.items);
  lock.unlock();
  Take(id);
  finished.reset();  // its frame and arguments go here, on this thread
}

Reply StreamTable::Next(std::uint64_t id) {
  // `open` before `lock`: the lock is released before the stream it locks can go.
  std::shared_ptr<Open> open;
  std::unique_lock<std::mutex> lock;
  Reply reply;
  open = Lock(id, lock, reply);
  if (!open) return reply;
  open->resuming = std::this_thread::get_id();
  bool more = false;
  try {
    crash::CallScope crash_scope("stream of", open->callee);
    reply.body.write(&kStreamTagItem, 1);  // the tag first: the item's arrays align where they land
    more = open->items->Next(reply.body);
  } catch (...) {
    reply = PanicReplyForCurrentException(open->callee);
  }
  open->resuming = std::thread::id();
  if (reply.code == kSuccess && !more) {
    reply = Reply{};
    reply.body.write(&kStreamTagEnd, 1);
  }
  if (!more || open->closed_in_body) Finish(id, *open, lock);  // ended, failed or closed itself
  return reply;
}

namespace {

void PatchU32(codec::Buffer& body, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) body.data()[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// `body` cut to its first `size` bytes (a copy: the buffer has no truncation; offsets,
// and so the arrays' alignment within it, stay as they were). Only at a batch's end.
void CutTo(codec::Buffer& body, std::size_t size) {
  codec::Buffer cut(size);
  cut.write(body.data(), size);
  body = std::move(cut);
}

}  // namespace

Reply StreamTable::NextBatch(std::uint64_t id, const BatchLimits& limits) {
  // `open` before `lock`: the lock is released before the stream it locks can go.
  std::shared_ptr<Open> open;
  std::unique_lock<std::mutex> lock;
  Reply reply;
  open = Lock(id, lock, reply);
  if (!open) return reply;
  const auto start = std::chrono::steady_clock::now();
  reply.body.write(&kStreamTagBatch, 1);
  reply.body.write("\x00\x00\x00\x00\x00", 5);  // ended, u32 count (patched)
  std::uint32_t count = 0;
  std::size_t items_end = reply.body.size();  // the end of the last whole item
  bool more = true;
  // Nothing is known of a new stream's pace: its first item goes alone, so that one
  // made quickly is not held back behind a slow second (a "started" item, then work).
  const bool first_batch = !open->batched;
  open->batched = true;
  open->resuming = std::this_thread::get_id();
  try {
    crash::CallScope crash_scope("stream of", open->callee);
    auto began = start;
    while (true) {
      reply.body.write("\x00\x00\x00\x00", 4);  // its length, patched once it is written
      more = open->items->Next(reply.body);
      const auto made = std::chrono::steady_clock::now();
      open->pace.Record(made - began);
      began = made;
      if (!more) break;
      PatchU32(reply.body, items_end, static_cast<std::uint32_t>(reply.body.size() - items_end - 4));
      items_end = reply.body.size();
      ++count;
      if (first_batch || count >= limits.max_items || items_end >= limits.max_bytes ||
          open->closed_in_body || made - start + open->pace.Slowest() >= limits.budget) {
        break;
      }
    }
  } catch (...) {
    Reply failure = PanicReplyForCurrentException(open->callee);
    if (count == 0) {
      reply = std::move(failure);
    } else {  // these items first; the failure answers the next call
      open->failure = std::move(failure);
    }
    more = count != 0;
  }
  open->resuming = std::thread::id();
  if (reply.code == kSuccess) {
    if (reply.body.size() != items_end) CutTo(reply.body, items_end);  // no item after all
    if (!more) reply.body.data()[1] = 1;  // ended
    PatchU32(reply.body, 2, count);
  }
  if (!more || open->closed_in_body) Finish(id, *open, lock);
  return reply;
}

Reply StreamTable::Close(std::uint64_t id) {
  std::shared_ptr<Open> open = Take(id);
  if (!open) return Unknown(id);
  // From inside its own generator: the Next running it destroys it when it returns.
  if (open->resuming.load() == std::this_thread::get_id()) {
    open->closed_in_body = true;
    return Reply{};
  }
  std::unique_ptr<ItemStream> items;
  {
    std::lock_guard<std::mutex> lock(open->mutex);  // waits for a Next on another thread
    items = std::move(open->items);
  }
  items.reset();  // the coroutine frame's destructors run here, on this thread
  return Reply{};
}

std::size_t StreamTable::open_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_.size();
}

}  // namespace goray::detail
