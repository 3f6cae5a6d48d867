// Live native actor instances, addressed by the index in the request word.
// Indices are never reused, so an index below the next one that is not live
// was closed; one at or above it was never issued.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "goray/registry.h"

namespace goray::detail {

struct ActorInstance {
  std::shared_ptr<void> object;
  const ActorType* type = nullptr;
};

class ActorInstances {
 public:
  enum class Lookup { kLive, kClosed, kUnknown };

  std::uint64_t Add(ActorInstance instance);
  // Copies the instance out, so a concurrent Close cannot free it mid-call.
  Lookup Find(std::uint64_t index, ActorInstance* out) const;
  // Removes the instance; the object is destroyed outside the lock.
  Lookup Close(std::uint64_t index);
  std::size_t live_count() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, ActorInstance> live_;
  std::uint64_t next_index_ = 0;
};

}  // namespace goray::detail
