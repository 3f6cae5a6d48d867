// How long a stream's recent items took to make: what a batch of read-ahead items
// (NextStreamItem's batch form, docs/protocol.md §13) looks at before it starts one
// more item. A running C++ body cannot be interrupted, so a batch that started an item
// as slow as a recent one would hold the items it already has until that item is made.
// Tests: tests/cpp/streams_abi_test.cpp
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace goray::detail {

class ItemPace {
 public:
  // Items per window: a slow item is remembered for one to two windows of items.
  static constexpr std::uint32_t kWindow = 128;

  // One item (or the generator's end) took `took` to make.
  void Record(std::chrono::nanoseconds took) {
    current_ = std::max(current_, took);
    if (++in_current_ == kWindow) {
      previous_ = current_;
      current_ = std::chrono::nanoseconds::zero();
      in_current_ = 0;
    }
  }

  // The longest time one of the last kWindow to 2 * kWindow items took (zero before any).
  std::chrono::nanoseconds Slowest() const { return std::max(current_, previous_); }

 private:
  std::chrono::nanoseconds current_{0};   // the window being filled
  std::chrono::nanoseconds previous_{0};  // the last full window
  std::uint32_t in_current_ = 0;
};

}  // namespace goray::detail
