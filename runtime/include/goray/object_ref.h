// ObjectRef: a value in Ray's object store, produced by any task, actor or Put,
// in either language. Copies share one driver-side id, released when the last
// copy is destroyed (Native2Py ReleaseObject).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/driver_call.h"
#include "goray/detail/pins.h"
#include "goray/options.h"

namespace goray {

class ObjectRef;

namespace detail {

// "No timeout": wait forever.
inline constexpr double kForever = -1.0;

template <class Duration>
double ToSeconds(const Duration& timeout) {
  return std::chrono::duration<double>(timeout).count();
}

// An object's value as GetObject answered it: `payload` is kept alive by `owner`.
// `lent`: the driver lent the memory its ext 72 point at (docs/protocol.md §10,
// GetObject with bit 4); `owner` holds the lent id, released with its last copy.
struct FetchedObject {
  std::string_view payload;
  std::shared_ptr<void> owner;
  bool lent = false;
};

// GetObject (command 6): the object's payload; failures are thrown.
FetchedObject GetObjectPayload(std::uint64_t id, double timeout_seconds, std::string_view what);

// Decodes an object's payload as T...: a native result holds 0..N concatenated
// values; a Python result or a Put holds one value, which several types destructure.
// `owner`, if given, owns `payload`: Arrays decoded from it share it (no copy).
// Refs and handles in it are adopted, or taken from `adopted` when the caller
// adopted them already (bytes decoded more than once). `lent`: its ext 72 point
// into memory `owner` keeps lent (views point at it; Arrays copy it).
template <class... T>
auto DecodeObject(std::string_view what, std::string_view payload,
                  std::shared_ptr<void> owner = nullptr,
                  const codec::detail::ReceivedRefs* adopted = nullptr, bool lent = false);

// GetInto's assignment: one decoded value (Get<T>() gives a T) to its target, or a
// tuple's elements (Get<T...>() of several types) to theirs.
template <class Decoded, class... T>
void AssignDecoded(Decoded&& decoded, T*... targets) {
  if constexpr (sizeof...(T) == 1) {
    ((*targets = std::forward<Decoded>(decoded)), ...);
  } else {
    std::tie(*targets...) = std::forward<Decoded>(decoded);
  }
}

}  // namespace detail

// A ref to a value in Ray's object store (see above).
class ObjectRef {
 public:
  // Adopts a driver id (from a submit or Put reply). `origin` names the task or method
  // whose result it is ("Square", "Counter.Incr"), for error messages; empty if unknown.
  explicit ObjectRef(std::uint64_t id, std::string origin = {});
  // An empty ref (a field or element before it is decoded into); id() throws.
  ObjectRef() = default;
  ObjectRef(const ObjectRef&) = default;
  ObjectRef(ObjectRef&&) noexcept = default;
  ObjectRef& operator=(const ObjectRef&) = default;
  ObjectRef& operator=(ObjectRef&&) noexcept = default;

  // Waits and decodes: one type gives a T, several a std::tuple.
  template <class... T>
  auto Get() const {
    return FetchAndDecode<T...>(detail::kForever);
  }
  template <class... T, class Rep, class Period>
  auto Get(std::chrono::duration<Rep, Period> timeout) const {
    return FetchAndDecode<T...>(detail::ToSeconds(timeout));
  }
  // Decodes into existing variables: ref.GetInto(&a, &b).
  template <class... T>
  void GetInto(T*... targets) const {
    detail::AssignDecoded(Get<T...>(), targets...);
  }
  // Waits for the task to finish and throws its failure, ignoring its value.
  void Wait() const { Fetch(detail::kForever); }
  template <class Rep, class Period>
  void Wait(std::chrono::duration<Rep, Period> timeout) const {
    Fetch(detail::ToSeconds(timeout));
  }

  // Cancels the task behind this ref (Options: force, recursive).
  template <class... Options>
  void Cancel(const Options&... options) const {
    CancelWith({options...});
  }

  // The driver's id of this ref. Throws if moved from.
  std::uint64_t id() const;
  // The task or method whose result this is, as given when it was made; empty for a
  // Put, a ref decoded from a value, or an empty ref.
  const std::string& origin() const;

 private:
  struct State;
  detail::FetchedObject Fetch(double timeout_seconds) const;
  // Decoded Arrays share the reply buffer instead of copying it (views share lent memory).
  template <class... T>
  auto FetchAndDecode(double timeout_seconds) const {
    detail::FetchedObject fetched = Fetch(timeout_seconds);
    return detail::DecodeObject<T...>(Describe(), fetched.payload, std::move(fetched.owner),
                                      nullptr, fetched.lent);
  }
  void CancelWith(const std::vector<Option>& options) const;
  std::string Describe() const;
  friend struct codec::detail::RefAccess;  // encoding pins the state

  std::shared_ptr<State> state_;
};

// goray::Get<T...>(ref) as ref.Get<T...>(): waits for the value and decodes it.
template <class... T>
auto Get(const ObjectRef& ref) {
  return ref.Get<T...>();
}
template <class... T, class Rep, class Period>
auto Get(const ObjectRef& ref, std::chrono::duration<Rep, Period> timeout) {
  return ref.Get<T...>(timeout);
}

// Puts a value into the object store.
template <class T>
ObjectRef Put(const T& value) {
  codec::Buffer buffer(256);
  detail::Pins pins;  // refs inside the value live until the driver has it
  codec::Packer packer(buffer);
  try {
    detail::PinScope pinning(pins);
    codec::detail::EncodeTargetScope arrays(buffer);
    codec::Encode(packer, value);
  } catch (const std::length_error& error) {  // a value over msgpack's 32-bit lengths
    codec::detail::ThrowTooLargeIn("the value of Put", error);
  }
  detail::DriverReply reply =
      detail::CallDriver(detail::kPutObject, std::string_view(buffer.data(), buffer.size()));
  if (reply.code != detail::kSuccess) detail::ThrowDriverFailure(reply, "Put");
  return ObjectRef(detail::ParseId(reply.data.view(), "Put"));
}

template <class... T>
auto detail::DecodeObject(std::string_view what, std::string_view payload,
                          std::shared_ptr<void> owner, const codec::detail::ReceivedRefs* adopted,
                          bool lent) {
  static_assert(sizeof...(T) >= 1, "goray: Get needs at least one type (or use Wait())");
  codec::detail::SourceBufferScope source(std::move(owner), payload, lent);
  msgpack::zone zone(512);
  std::vector<msgpack::object> values = UnpackAll(zone, payload, what);
  // Ids in a reply belong to this process now; unused ones are released on return.
  codec::detail::ReceivedRefs adopted_here;
  if (adopted == nullptr) adopted_here.Adopt(values.data(), values.size(), what);
  codec::detail::ReceivedRefsScope refs(adopted != nullptr ? adopted : &adopted_here);
  auto decode = [&](const msgpack::object& object, auto* type_tag, std::string_view where) {
    using Wanted = std::remove_pointer_t<decltype(type_tag)>;
    try {
      return codec::Decode<Wanted>(object);
    } catch (const codec::DecodeError& error) {
      std::string received =
          error.kind() == codec::DecodeError::Kind::kValue
              ? error.received()
              : codec::DescribeReceived(error, codec::ReceivedTypeName(object));
      if (error.kind() == codec::DecodeError::Kind::kValue && !error.path().empty()) {
        received += " at " + error.path();
      }
      throw ResultTypeError(std::string(what), std::string(where) + codec::TypeName<Wanted>(),
                            received);
    }
  };
  constexpr std::size_t kCount = sizeof...(T);
  const msgpack::object* items = values.data();
  std::size_t count = values.size();
  if constexpr (kCount > 1) {
    // One array value (a Python result or a Put) destructures into several types.
    if (count == 1 && values[0].type == msgpack::type::ARRAY) {
      items = values[0].via.array.ptr;
      count = values[0].via.array.size;
    }
  }
  if (count != kCount) {
    throw ResultTypeError(std::string(what),
                          std::to_string(kCount) + (kCount == 1 ? " value" : " values"),
                          std::to_string(count) + (count == 1 ? " value" : " values"));
  }
  if constexpr (kCount == 1) {
    return decode(items[0], static_cast<T*>(nullptr)..., "");
  } else {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple<T...>{decode(items[I], static_cast<T*>(nullptr),
                                     "value " + std::to_string(I) + ": ")...};
    }(std::index_sequence_for<T...>{});
  }
}

}  // namespace goray
