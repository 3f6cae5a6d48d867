// goray::ActorHandleOf<Actor>: an ActorHandle to an actor whose C++ class is Actor, for
// signatures goray-gen reads (a task taking, returning or storing a Counter actor:
// goray::ActorHandleOf<Counter>). goray-gen types it as that actor type: the typed C++
// wrappers take and return the generated NAME::CounterHandle, the Python stubs the
// generated actor class. On the wire it is any ActorHandle (ext 74).
#pragma once

#include <utility>

#include "goray/actor_handle.h"

namespace goray {

// An ActorHandle typed by its actor's C++ class, for goray-gen (see above).
template <class Actor>
class ActorHandleOf : public ActorHandle {
 public:
  using actor_type = Actor;

  // Defaulted: an empty handle where ActorHandle has one (a struct field being decoded).
  ActorHandleOf() = default;
  // Asserts that `actor` is of that class (not checked).
  explicit ActorHandleOf(ActorHandle actor) : ActorHandle(std::move(actor)) {}
};

}  // namespace goray
