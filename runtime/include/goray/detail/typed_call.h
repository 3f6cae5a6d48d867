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
// A generator task or method (result goray::Generator<T>) has StreamTaskCall /
// StreamMethodCall, whose Remote() returns a goray::Stream<goray::Future<T>>.
// A method call whose arguments include goray::GraphNodes is a node of that graph:
// handle.Method(node, ...).Bind(graph) (<goray/graph.h>), never submitted.
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
#include "goray/stream.h"
#include "goray/unresolved.h"

namespace goray {
template <class R>
class GraphNode;  // <goray/graph.h>, which a caller of Bind includes
}  // namespace goray

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
// A node of a goray::Graph whose result is a T: the argument of a call bound into that
// graph (Bind). Exactly T: a graph passes Python values between its nodes, and a
// conversion C++ would make (double to int64_t) is one the callee's decoding refuses.
template <class A>
inline constexpr bool kIsGraphNode = false;
template <class R>
inline constexpr bool kIsGraphNode<GraphNode<R>> = true;
template <class T, class A>
concept GraphNodeFor = std::is_same_v<std::remove_cvref_t<A>, GraphNode<T>>;
template <class T, class A>
concept ArgFor = ValueFor<T, A> || RefFor<T, A> || GraphNodeFor<T, A>;

// An argument for a goray::ObjectRef or goray::Future<T> parameter, which receives the
// ref itself: a goray::Future<T>, or any goray::ObjectRef.
template <class T, class A>
concept UnresolvedFor =
    kIsRef<A> && (std::is_convertible_v<A, T> || std::is_same_v<std::remove_cvref_t<A>, ObjectRef>);

// What a call keeps of an argument: the value converted to T, or the reference. An
// array is not copied: an rvalue goray::Array is moved in, anything else is kept as a
// goray::ArrayView of the caller's array, which must outlive the call to Remote().
// A graph node is kept as itself.
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
  requires kIsGraphNode<std::remove_cvref_t<A>>
struct StoredFor<T, A> {
  using type = std::remove_cvref_t<A>;
};
template <class E, class A>
  requires kIsGraphNode<std::remove_cvref_t<A>>
struct StoredFor<Array<E>, A> {
  using type = std::remove_cvref_t<A>;
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

// What Remote() submits, given the kept arguments and the options: a task or an actor's
// creation by name (built from the name implicitly: TaskCall<...>("Task", args...)), or
// a method call on a handle.
enum class Submits { kTask, kActor, kTaskStream };
template <Submits kWhat>
struct ByName {
  ByName(const char* callee) : name(callee) {}
  template <class... A>
  auto operator()(const A&... args) const {
    if constexpr (kWhat == Submits::kActor) {
      return goray::NewActor(name, args...);
    } else if constexpr (kWhat == Submits::kTaskStream) {
      return goray::RemoteStream(name, args...);
    } else {
      return goray::RemoteCall(name, args...);
    }
  }
  const char* name;
};
struct CallsMethod {
  template <class... A>
  ObjectRef operator()(const A&... args) const {
    return actor.RemoteCall(method, args...);
  }
  ActorHandle actor;
  const char* method;
};
struct CallsStreamMethod {
  template <class... A>
  Stream<ObjectRef> operator()(const A&... args) const {
    return actor.RemoteStream(method, args...);
  }
  ActorHandle actor;
  const char* method;
};

// The one result type R of a Future<R>, for the node a bound method call makes.
template <class Result>
struct NodeResult {};
template <class R>
struct NodeResult<Future<R>> {
  using type = R;
};

// A call that Remote(goray::Option...) submits, keeping its arguments until then (and
// after: it can be submitted again). Result is built from what Submitter returns.
// With graph nodes among its arguments, a method call is Bind(graph)'s instead.
template <class Result, class Submitter, class... Kept>
class Call {
 public:
  template <class... A>
  explicit Call(Submitter submitter, A&&... args)
      : submitter_(std::move(submitter)), args_(std::forward<A>(args)...) {}

  template <class... Options>
    requires OnlyOptions<Options...> && (!kIsGraphNode<Kept> && ...)
  Result Remote(const Options&... options) const {
    return std::apply([&](const Kept&... args) { return Result(submitter_(args..., options...)); },
                      args_);
  }

  // This method call as a node of `graph` (a goray::Graph), typed by the method's one
  // result: graph.Call<R>(handle, "Method", args...) with the types checked here. Its
  // graph-node arguments must be `graph`'s (std::invalid_argument otherwise); the others
  // are values (constants of every execution), not refs.
  template <class Graph>
    requires std::is_same_v<Submitter, CallsMethod> &&
             ((!kIsRef<Kept> && !std::is_same_v<Kept, Unresolved>) && ...) &&
             requires { typename NodeResult<Result>::type; }
  auto Bind(Graph& graph) const {
    using R = typename NodeResult<Result>::type;
    return std::apply(
        [&](const Kept&... args) {
          return graph.template Call<R>(submitter_.actor, submitter_.method, args...);
        },
        args_);
  }

 private:
  Submitter submitter_;
  std::tuple<Kept...> args_;
};

// A task call, TaskCall<Future<R>, Kept...>("Task", args...): Remote() returns the Future.
template <class Result, class... Kept>
using TaskCall = Call<Result, ByName<Submits::kTask>, Kept...>;
// An actor's creation, ActorCall<Handle, Kept...>("Type", args...): Remote() returns Handle,
// the generated typed handle, built from the goray::ActorHandle.
template <class Handle, class... Kept>
using ActorCall = Call<Handle, ByName<Submits::kActor>, Kept...>;
// A method call, MethodCall<Future<R>, Kept...>({handle, "Method"}, args...).
template <class Result, class... Kept>
using MethodCall = Call<Result, CallsMethod, Kept...>;
// A generator task's call, StreamTaskCall<Future<T>, Kept...>("Task", args...):
// Remote() returns a goray::Stream<Future<T>> (Item may also be goray::ObjectRef).
template <class Item, class... Kept>
using StreamTaskCall = Call<Stream<Item>, ByName<Submits::kTaskStream>, Kept...>;
// A generator method's call, StreamMethodCall<Future<T>, Kept...>({handle, "Method"}, args...).
template <class Item, class... Kept>
using StreamMethodCall = Call<Stream<Item>, CallsStreamMethod, Kept...>;

}  // namespace goray::detail
