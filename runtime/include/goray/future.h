// goray::Future<T...>: the typed ObjectRef the generated wrappers return. It is
// an ObjectRef (so it passes as an argument or into a std::vector<ObjectRef>)
// whose Get() knows the result types.
#pragma once

#include <chrono>
#include <utility>

#include "goray/object_ref.h"

namespace goray {

// An ObjectRef whose result types are T... (see above).
template <class... T>
class Future : public ObjectRef {
 public:
  explicit Future(ObjectRef ref) : ObjectRef(std::move(ref)) {}
  Future() = default;  // empty, as ObjectRef()

  // T for one type, std::tuple<T...> for several, nothing for a void result.
  auto Get() const {
    if constexpr (sizeof...(T) == 0) {
      ObjectRef::Wait();
    } else {
      return ObjectRef::Get<T...>();
    }
  }
  template <class Rep, class Period>
  auto Get(std::chrono::duration<Rep, Period> timeout) const {
    if constexpr (sizeof...(T) == 0) {
      ObjectRef::Wait(timeout);
    } else {
      return ObjectRef::Get<T...>(timeout);
    }
  }
};

// goray::Get(future) as future.Get(): the types come from the Future, as they do for
// goray::Get(futures) (batch.h). Chosen over Get(const ObjectRef&), which needs them.
template <class... T>
auto Get(const Future<T...>& future) {
  return future.Get();
}
template <class... T, class Rep, class Period>
auto Get(const Future<T...>& future, std::chrono::duration<Rep, Period> timeout) {
  return future.Get(timeout);
}

}  // namespace goray
