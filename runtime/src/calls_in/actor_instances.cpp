// The actor instance table.
// Tests: tests/cpp/abi_test.cpp, tests/cpp/threaded_actor_test.cpp
#include "calls_in/actor_instances.h"

#include <utility>

namespace goray::detail {

std::uint64_t ActorInstances::Add(ActorInstance instance) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint64_t index = next_index_++;
  live_.emplace(index, std::move(instance));
  return index;
}

ActorInstances::Lookup ActorInstances::Find(std::uint64_t index, ActorInstance* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = live_.find(index);
  if (found != live_.end()) {
    *out = found->second;
    return Lookup::kLive;
  }
  return index < next_index_ ? Lookup::kClosed : Lookup::kUnknown;
}

ActorInstances::Lookup ActorInstances::Close(std::uint64_t index) {
  ActorInstance closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = live_.find(index);
    if (found == live_.end()) return index < next_index_ ? Lookup::kClosed : Lookup::kUnknown;
    closing = std::move(found->second);
    live_.erase(found);
  }
  return Lookup::kLive;  // `closing` dies here, after the lock is released
}

std::size_t ActorInstances::live_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_.size();
}

}  // namespace goray::detail
