// ActorHandle: a Ray actor, C++ or Python. Copies share one driver-side id,
// released when the last copy is destroyed (Native2Py 32 ReleaseActor; Ray then
// ends the actor unless it is detached). Kill() ends it at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "goray/detail/call_builder.h"
#include "goray/object_ref.h"
#include "goray/options.h"
#include "goray/registry.h"
#include "goray/stream.h"

namespace goray {

// A handle to a Ray actor, C++ or Python: what NewActor, NewPyActor and GetActor return.
class ActorHandle {
 public:
  ActorHandle(std::uint64_t id, std::string type_name, bool is_native);
  // An empty handle (a field or element before it is decoded into); id() throws.
  ActorHandle() = default;

  // Calls a method; the result is a ref to its value. Options follow the arguments.
  template <class... Args>
  ObjectRef RemoteCall(std::string_view method, const Args&... args) const {
    const std::string callee = type_name() + "." + std::string(method);
    return ObjectRef(detail::SubmitActorCall(*this, method, callee, args...), callee);
  }

  // Calls a streaming method (a C++ method whose result is goray::Generator<T>, or a
  // Python generator method): its items as they are yielded, as goray::RemoteStream.
  template <class... Args>
  Stream<ObjectRef> RemoteStream(std::string_view method, const Args&... args) const {
    const std::string callee = type_name() + "." + std::string(method);
    return Stream<ObjectRef>(detail::SubmitActorStream(*this, method, callee, args...), callee);
  }

  // Ends the actor now (Option("no_restart", false) lets Ray restart it).
  template <class... Options>
  void Kill(const Options&... options) const {
    KillWith({options...});
  }

  std::uint64_t id() const;
  const std::string& type_name() const;
  bool is_native() const;

 private:
  struct State;
  void KillWith(const std::vector<Option>& options) const;
  friend struct codec::detail::RefAccess;  // encoding pins the state

  std::shared_ptr<State> state_;
};

namespace detail {
// The JSON array of an actor type's method names (for NewActor's meta).
std::string ActorMethodsJson(const ActorType& type);
}  // namespace detail

// Creates a C++ actor of a registered type. Options follow the arguments.
template <class... Args>
ActorHandle NewActor(std::string_view type_name, const Args&... args) {
  const std::string methods = detail::ActorMethodsJson(detail::NativeActorType(type_name));
  std::uint64_t id = detail::SubmitForId(
      detail::kNewActor,
      {{"goray_actor_type_name", type_name}, {"goray_actor_methods", detail::JsonText{methods}}},
      type_name, args...);
  return ActorHandle(id, std::string(type_name), true);
}

// Creates a Python actor: a @goray.remote class or any importable class by dotted name.
template <class... Args>
ActorHandle NewPyActor(std::string_view class_name, const Args&... args) {
  std::uint64_t id = detail::SubmitForId(detail::kNewPythonActor,
                                         {{"goray_actor_type_name", class_name}}, class_name, args...);
  return ActorHandle(id, std::string(class_name), false);
}

// A named actor, C++ or Python, whoever created it (Option("namespace", ns)).
template <class... Options>
ActorHandle GetActor(std::string_view name, const Options&... options);

// GetActor with its options in a vector.
ActorHandle GetActorWith(std::string_view name, const std::vector<Option>& options);

template <class... Options>
ActorHandle GetActor(std::string_view name, const Options&... options) {
  return GetActorWith(name, {options...});
}

}  // namespace goray
