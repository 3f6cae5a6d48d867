// In-process calls from C++ into the Python driver (Native2Py commands 0-4):
// registered @goray.local / @goray.remote functions and classes, or the dotted
// name of any importable one ("math.fsum", "collections.Counter").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "goray/codec.h"
#include "goray/detail/call_builder.h"
#include "goray/detail/driver_call.h"
#include "goray/errors.h"
#include "goray/object_ref.h"
#include "goray/options.h"

namespace goray {

namespace detail {
// In-process calls take values only (docs/protocol.md §2): no refs, no Ray options.
template <class... Args>
constexpr void CheckLocalArguments() {
  static_assert(!(std::is_base_of_v<ObjectRef, std::remove_cvref_t<Args>> || ...),
                "goray: ObjectRef arguments are not allowed in in-process calls; pass the value "
                "(ref.Get<T>())");
  static_assert(!(std::is_same_v<Option, std::remove_cvref_t<Args>> || ...),
                "goray: in-process calls take no goray::Option");
}
}  // namespace detail

// A Python value returned in-process: exactly one msgpack value. It owns the
// driver's reply buffer (copies share it; so do Arrays decoded from it).
class LocalResult {
 public:
  LocalResult(std::string callee, detail::DriverBytes payload)
      : callee_(std::move(callee)), bytes_(payload.view()), owner_(std::move(payload).Share()) {
    // Refs and handles in the value belong to this process: adopted once, as
    // Get may decode the bytes several times.
    if (codec::detail::ReceivedRefs::MayHold(bytes_)) {
      auto refs = std::make_shared<codec::detail::ReceivedRefs>();
      refs->AdoptBlock(bytes_, callee_);
      refs_ = std::move(refs);
    }
  }

  // Decodes the value as T; with several types, destructures a Python sequence
  // of that length into a std::tuple. A mismatch throws ResultTypeError.
  template <class... T>
  auto Get() const {
    static_assert(sizeof...(T) >= 1, "goray: Get needs at least one type");
    static const codec::detail::ReceivedRefs kNone;
    return detail::DecodeObject<T...>(callee_, bytes_, owner_,  // Arrays share the bytes
                                      refs_ ? refs_.get() : &kNone);
  }
  // Decodes into existing variables: result.GetInto(&a, &b).
  template <class... T>
  void GetInto(T*... targets) const {
    detail::AssignDecoded(Get<T...>(), targets...);
  }

  // The raw msgpack bytes of the value.
  std::string_view payload() const noexcept { return bytes_; }

 private:
  std::string callee_;
  std::string_view bytes_;
  std::shared_ptr<void> owner_;  // the driver's reply buffer, freed with the last user
  std::shared_ptr<const codec::detail::ReceivedRefs> refs_;  // adopted from the value
};

// Calls a Python function in this process.
template <class... Args>
LocalResult LocalCallPyTask(std::string_view name, const Args&... args) {
  detail::CheckLocalArguments<Args...>();
  detail::DriverBytes reply =
      detail::SendCall(detail::kExePythonLocalTask, {{"goray_task_name", name}}, name, args...);
  return LocalResult(std::string(name), std::move(reply));
}

// Runs Python source holding exactly one top-level `def`; arguments are bound
// in order (the function's parameters are commonly named arg0, arg1, ...).
template <class... Args>
LocalResult CallPythonCode(std::string_view source, const Args&... args) {
  detail::CheckLocalArguments<Args...>();
  detail::DriverBytes reply =
      detail::SendCall(detail::kExePyCode, {{"func_code", source}}, "python code", args...);
  return LocalResult("python code", std::move(reply));
}

// An instance of a Python class living in this process. Copies share it; it is
// closed once: by Close() or when the last copy is destroyed.
class PyLocalInstance {
 public:
  PyLocalInstance(std::string class_name, std::uint64_t id);

  template <class... Args>
  LocalResult MethodCall(std::string_view method, const Args&... args) const {
    detail::CheckLocalArguments<Args...>();
    RequireOpen(method);
    std::string callee = state_->class_name + "." + std::string(method);
    detail::DriverBytes reply = detail::SendCall(
        detail::kLocalMethodCall,
        {{"goray_task_name", method}, {"goray_py_local_actor_id", state_->id}}, callee, args...);
    return LocalResult(std::move(callee), std::move(reply));
  }

  // Closes the instance in Python; later calls throw. Closing twice does nothing.
  void Close();
  bool closed() const noexcept;
  std::uint64_t id() const noexcept { return state_->id; }
  const std::string& class_name() const noexcept { return state_->class_name; }

  // Shared by the copies; its destructor closes the Python instance if still open.
  struct State {
    std::string class_name;
    std::uint64_t id = 0;
    bool closed = false;  // guarded by a runtime mutex
    ~State();
  };

 private:
  void RequireOpen(std::string_view method) const;

  std::shared_ptr<State> state_;
};

// Creates a Python class instance in this process.
template <class... Args>
PyLocalInstance NewPyLocalInstance(std::string_view class_name, const Args&... args) {
  detail::CheckLocalArguments<Args...>();
  detail::DriverBytes reply = detail::SendCall(
      detail::kNewClassInstance, {{"goray_actor_type_name", class_name}}, class_name, args...);
  return PyLocalInstance(std::string(class_name), detail::ParseId(reply.view(), class_name));
}

}  // namespace goray
