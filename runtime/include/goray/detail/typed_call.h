// What goray-gen's typed wrappers (NAME.goray.h) are made of: the constraints on a
// wrapper's arguments, what a call keeps of each, and the call objects whose
// Remote(goray::Option...) submits a task, an actor's creation or a method call. A
// generated wrapper names only its task's types:
//
//   template <class A0 = double>
//     requires goray::detail::ArgFor<double, A0>
//   auto Square(A0&& x) {
//     return goray::detail::TaskCall<goray::Future<double>, goray::detail::Stored<double, A0>>(
//         "Square", std::forward<A0>(x));
//   }
//
// The generated units' compile-time checks (kParamsAre, kResultIs) are here too.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "goray/actor_handle.h"
#include "goray/array.h"
#include "goray/detail/call_builder.h"
#include "goray/detail/callable_traits.h"
#include "goray/future.h"
#include "goray/object_ref.h"
#include "goray/options.h"
#include "goray/remote.h"

namespace goray::detail {

// Whether T is a goray::Array: what the wrappers take for an array parameter of any form
// (goray::Array, goray::ArrayView, std::span<const T>).
template <class T>
inline constexpr bool kIsArray = false;
template <class E>
inline constexpr bool kIsArray<Array<E>> = true;

// An argument for a parameter of type T: a value converting to T, or a reference to a
// T in the object store (a goray::ObjectRef, or a goray::Future<T>). For an array
// parameter, a goray::ArrayView converts too. (kIsRef: call_builder.h.)
template <class T, class A>
concept ValueFor =
    !kIsRef<A> && (std::is_convertible_v<A, T> ||
                   (kIsArray<T> && std::is_convertible_v<A, ArrayView<typename T::value_type>>));
template <class T, class A>
concept RefFor = std::is_same_v<std::remove_cvref_t<A>, ObjectRef> ||
                 std::is_same_v<std::remove_cvref_t<A>, Future<T>>;
template <class T, class A>
concept ArgFor = ValueFor<T, A> || RefFor<T, A>;

// An argument for a goray::ObjectRef or goray::Future<T> parameter, which receives the
// ref itself: a goray::Future<T>, or any goray::ObjectRef.
template <class T, class A>
concept UnresolvedFor =
    kIsRef<A> && (std::is_convertible_v<A, T> || std::is_same_v<std::remove_cvref_t<A>, ObjectRef>);

// What a call keeps of an argument: the value converted to T, or the reference. An
// array is not copied: an rvalue goray::Array is moved in, anything else is kept as a
// goray::ArrayView of the caller's array, which must outlive the call to Remote().
template <class T, class A>
struct StoredFor {
  using type = std::conditional_t<kIsRef<A>, ObjectRef, T>;
};
template <class E, class A>
struct StoredFor<Array<E>, A> {
  using type = std::conditional_t<
      kIsRef<A>, ObjectRef,
      std::conditional_t<std::is_same_v<A, Array<E>>, Array<E>, ArrayView<E>>>;
};
template <class T, class A>
using Stored = typename StoredFor<T, A>::type;

template <class... Options>
concept OnlyOptions = (std::is_same_v<std::remove_cvref_t<Options>, Option> && ...);

// For the generated units' checks that a registered function still has the parameters
// (without const and references) and result the scan saw.
template <class Tuple>
struct WithoutCvref;
template <class... P>
struct WithoutCvref<std::tuple<P...>> {
  using type = std::tuple<std::remove_cvref_t<P>...>;
};
template <class Function, class... Params>
inline constexpr bool kParamsAre =
    std::is_same_v<typename WithoutCvref<typename CallableTraits<Function>::ParamTuple>::type,
                   std::tuple<Params...>>;

template <class Function, class Result>
inline constexpr bool kResultIs =
    std::is_same_v<std::remove_cvref_t<typename CallableTraits<Function>::Result>, Result>;

// A task call, submitted by Remote(goray::Option...).
template <class Result, class... Kept>
class TaskCall {
 public:
  template <class... A>
  explicit TaskCall(const char* task, A&&... args) : task_(task), args_(std::forward<A>(args)...) {}

  template <class... Options>
    requires OnlyOptions<Options...>
  Result Remote(const Options&... options) const {
    return std::apply(
        [&](const Kept&... args) { return Result(goray::RemoteCall(task_, args..., options...)); },
        args_);
  }

 private:
  const char* task_;
  std::tuple<Kept...> args_;
};

// An actor's creation, submitted by Remote(goray::Option...); Handle is the generated
// typed handle, built from the goray::ActorHandle.
template <class Handle, class... Kept>
class ActorCall {
 public:
  template <class... A>
  explicit ActorCall(const char* type, A&&... args) : type_(type), args_(std::forward<A>(args)...) {}

  template <class... Options>
    requires OnlyOptions<Options...>
  Handle Remote(const Options&... options) const {
    return std::apply(
        [&](const Kept&... args) { return Handle(goray::NewActor(type_, args..., options...)); },
        args_);
  }

 private:
  const char* type_;
  std::tuple<Kept...> args_;
};

// An actor method call, submitted by Remote(goray::Option...).
template <class Result, class... Kept>
class MethodCall {
 public:
  template <class... A>
  MethodCall(const ActorHandle& actor, const char* method, A&&... args)
      : actor_(actor), method_(method), args_(std::forward<A>(args)...) {}

  template <class... Options>
    requires OnlyOptions<Options...>
  Result Remote(const Options&... options) const {
    return std::apply(
        [&](const Kept&... args) { return Result(actor_.RemoteCall(method_, args..., options...)); },
        args_);
  }

 private:
  ActorHandle actor_;
  const char* method_;
  std::tuple<Kept...> args_;
};

}  // namespace goray::detail
