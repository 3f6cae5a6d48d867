// Open streams of generator tasks and methods (docs/protocol.md §13): started by
// StartTaskStream 39 / StartMethodStream 40, resumed by NextStreamItem 41, destroyed by
// CloseStream 42, by their end or by their failure.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "goray/registry.h"
#include "calls_in/item_pace.h"
#include "calls_in/reply.h"

namespace goray::detail {

class StreamTable {
 public:
  // Keeps `items` under a new id (from 1, never reused). `callee` names the task or
  // Type.Method in failure payloads.
  std::uint64_t Add(std::unique_ptr<ItemStream> items, std::string callee);

  // Resumes stream `id` on this thread: code 0 with tag 1 and the item, or tag 0 when
  // the generator finished; code 5 when it threw; code 1 for an id that is not open.
  // A stream resumed by two threads at once is served one after the other. The stream
  // is forgotten when it finished or failed.
  Reply Next(std::uint64_t id);

  // How much one NextBatch takes: at most `max_items` items, and no further item once
  // `budget` has passed since the call began or the items reach `max_bytes` (the first
  // item is always waited for, however long it takes). Besides, a stream's first batch
  // is its first item alone, and no further item is started when the slowest of the
  // stream's recent items (ItemPace) would end it past the budget: the items a batch has
  // are not held back behind a slow one.
  struct BatchLimits {
    std::uint32_t max_items = 1;
    std::chrono::microseconds budget{0};
    std::size_t max_bytes = 0;
  };

  // Resumes stream `id` on this thread for several items (docs/protocol.md §13, the
  // batch form of 41): code 0 with `02`, u8 ended, u32 count, then per item u32 length
  // and the item. A generator that throws after some items ends this batch with them;
  // the next call answers the failure (code 5). Otherwise as Next.
  Reply NextBatch(std::uint64_t id, const BatchLimits& limits);

  // Forgets stream `id` and destroys its generator on this thread (once a Next running
  // on another thread returned): code 0, or code 1 for an id that is not open.
  Reply Close(std::uint64_t id);

  std::size_t open_count() const;

 private:
  struct Open {
    std::mutex mutex;  // held while the generator runs or is destroyed
    std::unique_ptr<ItemStream> items;
    std::string callee;
    std::atomic<std::thread::id> resuming{};  // the thread inside Next, if any
    std::atomic<bool> closed_in_body{false};  // its own generator called Close
    std::optional<Reply> failure;  // thrown after a batch's first items: the next answer
    ItemPace pace;         // how long its recent items took to make (NextBatch)
    bool batched = false;  // a NextBatch was served: its first item went alone
  };

  // The open stream `id`, locked for this thread to resume; or null, with the reply to
  // give instead: a refusal, or the failure a batch kept (the stream then forgotten).
  std::shared_ptr<Open> Lock(std::uint64_t id, std::unique_lock<std::mutex>& lock, Reply& instead);
  // Forgets stream `id` once its generator ended, failed or closed itself: the
  // generator (frame and arguments) is destroyed on this thread, after `lock`.
  void Finish(std::uint64_t id, Open& open, std::unique_lock<std::mutex>& lock);

  std::shared_ptr<Open> Find(std::uint64_t id) const;
  std::shared_ptr<Open> Take(std::uint64_t id);
  static Reply Unknown(std::uint64_t id);

  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Open>> open_;
  std::uint64_t next_id_ = 1;
};

}  // namespace goray::detail
