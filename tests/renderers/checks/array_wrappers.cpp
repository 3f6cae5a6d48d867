// The typed C++ wrappers of array parameters (goray::Array, goray::ArrayView,
// std::span<const T> in the task): what they accept, and what a call keeps. Compiled with
// the corpus case arrays' generated units (tests/renderers/CMakeLists.txt).

#include "arrays_app.goray.h"

#include <string>
#include <type_traits>

template <class... A>
constexpr bool kSum = requires(A... a) { arrays_app::Sum(a...).Remote(); };
template <class... A>
constexpr bool kEcho = requires(A... a) { arrays_app::Echo(a...).Remote(); };
using goray::detail::Stored;

// A span<const double> parameter takes an Array, a view, or a Future of an Array...
static_assert(kSum<goray::Array<double>>);
static_assert(kSum<const goray::Array<double>&>);
static_assert(kSum<goray::ArrayView<double>>);
static_assert(kSum<goray::Future<goray::Array<double>>>);
static_assert(kEcho<goray::ArrayView<double>>);  // so does an Array parameter
// ...of its element type only.
static_assert(!kSum<goray::Array<float>>);
static_assert(!kSum<goray::ArrayView<int64_t>>);
static_assert(!kSum<goray::Future<goray::Array<float>>>);
static_assert(!kSum<std::string>);
static_assert(!kEcho<goray::Array<int32_t>>);
// An array is never copied into the call: an lvalue is kept as a view, an rvalue moved.
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::Array<double>&>,
                             goray::ArrayView<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, const goray::Array<double>&>,
                             goray::ArrayView<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::Array<double>>,
                             goray::Array<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::ArrayView<double>&>,
                             goray::ArrayView<double>>);
static_assert(std::is_same_v<Stored<goray::Array<double>, goray::Future<goray::Array<double>>&>,
                             goray::ObjectRef>);
// Results are owning arrays.
static_assert(std::is_same_v<decltype(arrays_app::Scale(goray::Array<double>()).Remote()),
                             goray::Future<goray::Array<double>>>);
