// The thread's innermost pin collector (goray/detail/pins.h).
// Tests: tests/cpp/scatter_codec_test.cpp
#include "goray/detail/pins.h"

#include <utility>

namespace goray::detail {
namespace {
thread_local Pins* t_collector = nullptr;
thread_local std::uint64_t t_pin_calls = 0;
}  // namespace

PinScope::PinScope(Pins& pins) noexcept : previous_(std::exchange(t_collector, &pins)) {}

PinScope::~PinScope() { t_collector = previous_; }

bool Pin(std::shared_ptr<void> state) {
  ++t_pin_calls;
  if (t_collector == nullptr) return false;
  t_collector->push_back(std::move(state));
  return true;
}

std::uint64_t PinCalls() noexcept { return t_pin_calls; }

}  // namespace goray::detail
