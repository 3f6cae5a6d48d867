// The thread's innermost pin collector (goray/detail/pins.h).
#include "goray/detail/pins.h"

#include <utility>

namespace goray::detail {
namespace {
thread_local Pins* t_collector = nullptr;
}  // namespace

PinScope::PinScope(Pins& pins) noexcept : previous_(std::exchange(t_collector, &pins)) {}

PinScope::~PinScope() { t_collector = previous_; }

bool Pin(std::shared_ptr<void> state) {
  if (t_collector == nullptr) return false;
  t_collector->push_back(std::move(state));
  return true;
}

}  // namespace goray::detail
