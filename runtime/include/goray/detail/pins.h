// Keeping ObjectRef / ActorHandle states alive while bytes that name their ids
// are on their way to the driver: an encoder that writes an id calls Pin(state),
// and whoever sends the bytes holds a PinScope around the encoding and keeps
// the collected states until the driver has consumed them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace goray::detail {

using Pins = std::vector<std::shared_ptr<void>>;

// Makes `pins` this thread's collector until destroyed (scopes nest; the
// innermost collects).
class PinScope {
 public:
  explicit PinScope(Pins& pins) noexcept;
  ~PinScope();
  PinScope(const PinScope&) = delete;
  PinScope& operator=(const PinScope&) = delete;

 private:
  Pins* previous_;
};

// Adds `state` to the innermost PinScope of this thread. False when no scope is
// open (the caller then keeps the state alive itself or refuses).
bool Pin(std::shared_ptr<void> state);

// How many times Pin was called on this thread (an encoder wrote an id): a
// scatter scope compares it to tell whether a block names refs or handles.
std::uint64_t PinCalls() noexcept;

}  // namespace goray::detail
