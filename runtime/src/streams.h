// Open streams of generator tasks and methods (docs/protocol.md §13): started by
// StartTaskStream 39 / StartMethodStream 40, resumed by NextStreamItem 41, destroyed by
// CloseStream 42, by their end or by their failure.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "goray/registry.h"
#include "reply.h"

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
  };

  std::shared_ptr<Open> Find(std::uint64_t id) const;
  std::shared_ptr<Open> Take(std::uint64_t id);
  static Reply Unknown(std::uint64_t id);

  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Open>> open_;
  std::uint64_t next_id_ = 1;
};

}  // namespace goray::detail
