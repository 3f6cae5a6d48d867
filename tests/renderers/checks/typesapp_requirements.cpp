// Uses of typesapp's typed C++ wrappers (tests/renderers/apps/types): each misuse
// ill-formed, each correct use well-formed. Compiled against the generated
// typesapp.goray.h (tests/renderers/CMakeLists.txt); test_gen_compile_fail.py has the
// failing compiles and their errors.

#include "typesapp.goray.h"

#include <goray/graph.h>

#include <string>
#include <type_traits>
#include <utility>

// Whether a call with arguments of types A... is well-formed (a template, so a
// failure is an answer, not an error).
template <class... A>
constexpr bool kF64 = requires(A... a) { typesapp::F64(a...).Remote(); };
template <class... A>
constexpr bool kStr = requires(A... a) { typesapp::Str(a...).Remote(); };
template <class... A>
constexpr bool kDivide = requires(A... a) { typesapp::Divide(a...).Remote(); };
template <class... A>
constexpr bool kPoint = requires(A... a) { typesapp::Point(a...).Remote(); };
template <class... A>
constexpr bool kAccumulator = requires(A... a) { typesapp::Accumulator(a...).Remote(); };
template <class Handle, class... A>
constexpr bool kIncr = requires(Handle h, A... a) { h.Incr(a...).Remote(); };
template <class Handle, class... A>
constexpr bool kDecr = requires(Handle h, A... a) { h.Decr(a...).Remote(); };
// Whether handle.Incr(a...) (or Add) binds into a goray::Graph as a node.
template <class Handle, class... A>
constexpr bool kBindIncr = requires(Handle h, goray::Graph& g, A... a) { h.Incr(a...).Bind(g); };
template <class Handle, class... A>
constexpr bool kBindAdd = requires(Handle h, goray::Graph& g, A... a) { h.Add(a...).Bind(g); };
template <class... A>
constexpr bool kBindTask = requires(goray::Graph& g, A... a) { typesapp::I64(a...).Bind(g); };
template <class... Options>
constexpr bool kRemoteWith = requires(Options... o) { typesapp::F64(1.0).Remote(o...); };
using Counter = typesapp::CounterHandle;

// Correct uses are well-formed...
static_assert(kF64<double>);
static_assert(kF64<int>);                                   // converts
static_assert(kF64<goray::Future<double>>);                 // by reference
static_assert(kF64<goray::ObjectRef>);
static_assert(kStr<const char*>);
static_assert(kDivide<int, long>);
static_assert(kPoint<shapes::Point>);
static_assert(kAccumulator<double, std::string>);
static_assert(kIncr<Counter, int>);
static_assert(kRemoteWith<goray::Option, goray::Option>);
// ...and misuses are not: a wrong argument count,
static_assert(!kF64<>);
static_assert(!kF64<double, double>);
static_assert(!kDivide<int>);
static_assert(!kAccumulator<double>);
static_assert(!kIncr<Counter>);
// a type that does not convert,
static_assert(!kF64<const char*>);
static_assert(!kStr<double>);
static_assert(!kPoint<std::string>);
static_assert(!kIncr<Counter, const char*>);
// a reference to a value of another type,
static_assert(!kF64<goray::Future<std::string>>);
static_assert(!kF64<goray::Future<int64_t>>);
// an unknown method, options that are not goray::Option.
static_assert(!kDecr<Counter, int>);
static_assert(!kRemoteWith<int>);
// A typed method call binds into a graph: a node of the parameter's exact type, or a
// value (a constant); the node is typed by the method's result. A call holding a node
// is not submitted; a ref, a node of another type, a task or a method with no result
// is no graph node.
using AccumulatorRef = typesapp::AccumulatorHandle;
static_assert(kBindIncr<Counter, goray::GraphNode<int64_t>>);
static_assert(kBindIncr<Counter, int>);
static_assert(kBindAdd<AccumulatorRef, goray::GraphNode<double>>);
static_assert(std::is_same_v<decltype(std::declval<Counter>().Incr(std::declval<goray::GraphNode<int64_t>&>())
                                          .Bind(std::declval<goray::Graph&>())),
                             goray::GraphNode<int64_t>>);
static_assert(!kIncr<Counter, goray::GraphNode<int64_t>>);
static_assert(!kBindIncr<Counter, goray::GraphNode<double>>);
static_assert(!kBindIncr<Counter, goray::GraphNode<std::string>>);
static_assert(!kBindIncr<Counter, goray::Future<int64_t>>);
static_assert(!kBindTask<goray::GraphNode<int64_t>>);
// Each result is the typed future or handle.
static_assert(std::is_same_v<decltype(typesapp::Divide(1, 2).Remote()),
                             goray::Future<int64_t, int64_t>>);
static_assert(std::is_same_v<decltype(typesapp::Nothing().Remote()), goray::Future<>>);
static_assert(std::is_same_v<decltype(typesapp::Counter(1).Remote()), Counter>);
static_assert(std::is_base_of_v<goray::ActorHandle, Counter>);

// The typed Serve client of a C++ deployment (docs/serve.md, "From C++"): the handle's
// argument checks, and each method's C++ result type itself (the call waits).
template <class... A>
constexpr bool kServeIncr = requires(typesapp::CounterDeployment d, A... a) { d.Incr(a...); };
static_assert(kServeIncr<int>);
static_assert(kServeIncr<int64_t&>);
static_assert(!kServeIncr<>);
static_assert(!kServeIncr<const char*>);
static_assert(!kServeIncr<int, int>);
static_assert(std::is_same_v<decltype(std::declval<typesapp::CounterDeployment>().Incr(1)), int64_t>);
static_assert(std::is_same_v<decltype(std::declval<typesapp::CounterDeployment>().Get()), int64_t>);
static_assert(std::is_base_of_v<goray::serve::Handle, typesapp::CounterDeployment>);
static_assert(std::is_constructible_v<typesapp::CounterDeployment, goray::serve::Handle>);
