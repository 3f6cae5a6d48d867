// The stream table: each open stream has its own mutex, so streams run in parallel
// while one stream's items are produced one at a time; the table's lock is held only
// to look up, add or remove (docs/protocol.md §13).
#include "streams.h"

#include <string>
#include <utility>

#include "crash_report.h"

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

Reply StreamTable::Next(std::uint64_t id) {
  std::shared_ptr<Open> open = Find(id);
  if (!open) return Unknown(id);
  if (open->resuming.load() == std::this_thread::get_id()) {
    // Its own body asked for its next item: a running coroutine cannot be resumed.
    return TextReply(kFailed, "goray: stream " + std::to_string(id) + " (" + open->callee +
                                  ") asked for its own next item from inside its generator");
  }
  std::unique_lock<std::mutex> lock(open->mutex);
  if (!open->items) return Unknown(id);  // closed or ended while this call waited
  open->resuming = std::this_thread::get_id();
  Reply reply;
  bool more = false;
  try {
    crash::CallScope crash_scope("stream of", open->callee);
    reply.body.write("\x01", 1);  // the tag first: the item's arrays align where they land
    more = open->items->Next(reply.body);
  } catch (...) {
    reply = PanicReplyForCurrentException(open->callee);
  }
  open->resuming = std::thread::id();
  if (reply.code == kSuccess && !more) {
    reply = Reply{};
    reply.body.write("\x00", 1);
  }
  std::unique_ptr<ItemStream> finished;
  if (!more || open->closed_in_body) {  // ended, failed, or its own body closed it
    finished = std::move(open->items);
    lock.unlock();
    Take(id);
  }
  return reply;  // `finished` (its frame and arguments) goes first, on this thread
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
