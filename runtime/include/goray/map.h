// goray::Map: a task (or a Python function) over many items from C++, in the driver or
// inside a task, in chunks whose loop runs in C++ in Ray's workers (docs/map.md, "From
// C++"). The chunks are planned and submitted by goray.map in this process's Python (an
// in-process call): the same chunk sizes, bounds and failure reports as from Python.
//
//     std::vector<double> scores = goray::Map(app::ScoreTask, xs);             // typed
//     auto scaled = goray::Map(app::ScaleTask, xs, goray::Shared(2.0));        // shared value
//     auto outcome = goray::MapCollect(app::ScoreTask, xs);  // failures too, not thrown
//     auto lengths = goray::MapPython<int64_t>("app.length", words);          // Python's
//
// A column is a std::vector<T>, a goray::ArrayView<T>, a goray::Array<T> or a
// std::span<const T> of items (numbers pass to goray.map by address: Python reads the
// caller's memory in place, and the results of a number type are written in place into
// the vector Map returns); a goray::Shared(value) is one value every item shares. Columns
// zip: they must be of one length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/array.h"
#include "goray/detail/map_loop.h"
#include "goray/local.h"

namespace goray {

// A task as goray-gen's header describes it (NAME::TaskTask): its wire name and signature.
template <class Signature>
struct TaskOf;
template <class R, class... P>
struct TaskOf<R(P...)> {
  const char* name;
};

// One value every item shares.
template <class T>
struct Shared {
  T value;
};
template <class T>
Shared(T) -> Shared<T>;

// Overrides of goray's choices (0: goray chooses, docs/map.md "How chunks are chosen").
struct MapOptions {
  std::size_t chunk_size = 0;
  std::size_t max_in_flight = 0;
};

// A failed item: its index in the input and its error's text.
struct MapFailure {
  std::size_t index = 0;
  std::string error;
};

// MapCollect's answer: every item's result (empty for a failed one) and the failures.
template <class R>
struct MapOutcome {
  std::vector<std::optional<R>> results;
  std::vector<MapFailure> failures;
};

namespace detail {

template <class T>
struct IsShared : std::false_type {};
template <class T>
struct IsShared<Shared<T>> : std::true_type {};

// What a column input's items are (void for an input that is not a column).
template <class C, class = void>
struct ColumnItem {
  using type = void;
};
template <class C>
struct ColumnItem<C, std::void_t<typename C::value_type, decltype(std::declval<const C&>().size())>> {
  using type = std::remove_cv_t<typename C::value_type>;
};

// Memory of this process as goray.map reads (or, for the results, writes) it in place
// during the in-process call: [address, items, dtype] (goray/_map/native.py).
using MapAddress = std::tuple<std::uint64_t, std::int64_t, std::string>;

template <class T>
MapAddress AddressOf(const T* data, std::size_t count) {
  return {static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(data)),
          static_cast<std::int64_t>(count), MapDtype<T>()};
}

// Whether an input travels by address: a contiguous column of numbers.
template <class Input>
constexpr bool MapByAddress() {
  if constexpr (IsShared<Input>::value) {
    return false;
  } else {
    using Item = typename ColumnItem<Input>::type;
    return kIsArrayElement<Item> && requires(const Input& input) { input.data(); };
  }
}

// An input as it travels to goray.map: numbers as the address of the caller's memory
// (read in place in this process: the caller waits for the call), other items as a list,
// shared values as they are.
template <class Input>
decltype(auto) MapArgument(const Input& input) {
  if constexpr (IsShared<Input>::value) {
    return (input.value);
  } else {
    using Item = typename ColumnItem<Input>::type;
    static_assert(!std::is_void_v<Item>,
                  "goray::Map: each input is a column (std::vector<T>, goray::ArrayView<T>, "
                  "goray::Array<T>, std::span<const T>) or goray::Shared(value)");
    if constexpr (MapByAddress<Input>()) {
      return AddressOf<Item>(input.data(), input.size());
    } else {
      return (input);
    }
  }
}

template <class Param, class Input>
constexpr bool MapInputFits() {
  using Plain = std::remove_cvref_t<Param>;
  if constexpr (IsShared<Input>::value) {
    return std::is_convertible_v<decltype(std::declval<Input>().value), Plain>;
  } else {
    using Item = typename ColumnItem<Input>::type;
    return !std::is_void_v<Item> && std::is_convertible_v<const Item&, Plain>;
  }
}

inline std::string MapOptionsJson(const MapOptions& options, bool collect) {
  return "{\"chunk_size\":" + std::to_string(options.chunk_size) + ",\"max_in_flight\":" +
         std::to_string(options.max_in_flight) + ",\"collect\":" + (collect ? "true" : "false") +
         "}";
}

template <class... Inputs>
std::vector<bool> MapColumns() {
  return {!IsShared<Inputs>::value...};
}

template <class... Inputs>
std::vector<bool> MapAddressed() {
  return {MapByAddress<Inputs>()...};
}

// `out`: an address for the results (MapAddress), or nil (std::nullopt): they come back
// as the call's value.
template <class... Inputs>
LocalResult CallMap(std::string_view kind, std::string_view name, const MapOptions& options,
                    bool collect, const std::optional<MapAddress>& out,
                    const Inputs&... inputs) {
  static_assert(sizeof...(Inputs) >= 1, "goray::Map: give the items (one column or more)");
  return LocalCallPyTask("goray._map.native.map_for_native", std::string(kind),
                         std::string(name), MapOptionsJson(options, collect),
                         MapColumns<Inputs...>(), MapAddressed<Inputs...>(), out,
                         MapArgument(inputs)...);
}

// The items' count: every column's (goray.map checks that they agree).
template <class Input, class... Inputs>
std::size_t MapCount(const Input& input, const Inputs&... inputs) {
  if constexpr (!IsShared<Input>::value) {
    return static_cast<std::size_t>(input.size());
  } else if constexpr (sizeof...(Inputs) > 0) {
    return MapCount(inputs...);
  } else {
    return 0;
  }
}

// Map's results: written in place into a vector of the items' count when R is a number
// (goray.map answers nil), else decoded from the call's value.
template <class R, class... Inputs>
std::vector<R> MapInto(std::string_view kind, std::string_view name, const MapOptions& options,
                       const Inputs&... inputs) {
  if constexpr (kIsArrayElement<R> && !std::is_same_v<R, bool>) {  // (vector<bool>: no data())
    std::vector<R> results(MapCount(inputs...));
    LocalResult answer = CallMap(kind, name, options, false,
                                 AddressOf<R>(results.data(), results.size()), inputs...);
    if (auto returned = answer.Get<std::optional<std::vector<R>>>()) return std::move(*returned);
    return results;
  } else {
    return CallMap(kind, name, options, false, std::nullopt, inputs...)
        .template Get<std::vector<R>>();
  }
}

template <class R>
MapOutcome<R> ReadOutcome(const LocalResult& result) {
  auto [values, failures] =
      result.Get<std::vector<std::optional<R>>, std::vector<std::tuple<std::int64_t, std::string>>>();
  MapOutcome<R> outcome{std::move(values), {}};
  for (auto& [index, text] : failures) {
    outcome.failures.push_back({static_cast<std::size_t>(index), std::move(text)});
  }
  return outcome;
}

template <class R, class... P, class... Inputs>
constexpr void CheckMapInputs() {
  static_assert(sizeof...(Inputs) <= sizeof...(P),
                "goray::Map: more inputs than the task has parameters");
  static_assert(
      []<std::size_t... I>(std::index_sequence<I...>) {
        return (MapInputFits<std::tuple_element_t<I, std::tuple<P...>>,
                             std::tuple_element_t<I, std::tuple<Inputs...>>>() && ...);
      }(std::make_index_sequence<sizeof...(Inputs)>{}),
      "goray::Map: an input's items (or shared value) do not convert to the task's parameter "
      "at that position");
}

}  // namespace detail

// The task's results in input order (nothing for a task returning void). The first failed
// item throws goray::PythonError naming its index, value and error; the chunks in flight
// are cancelled.
template <class R, class... P, class... Inputs>
auto Map(const MapOptions& options, TaskOf<R(P...)> task, const Inputs&... inputs) {
  detail::CheckMapInputs<R, P..., Inputs...>();
  if constexpr (std::is_void_v<R>) {
    detail::CallMap("task", task.name, options, false, std::nullopt, inputs...);
  } else {
    return detail::MapInto<R>("task", task.name, options, inputs...);
  }
}
template <class R, class... P, class... Inputs>
auto Map(TaskOf<R(P...)> task, const Inputs&... inputs) {
  return Map(MapOptions{}, task, inputs...);
}

// Every item runs; the failed ones are reported, not thrown.
template <class R, class... P, class... Inputs>
MapOutcome<R> MapCollect(const MapOptions& options, TaskOf<R(P...)> task, const Inputs&... inputs) {
  static_assert(!std::is_void_v<R>, "goray::MapCollect: the task returns nothing; use Map");
  detail::CheckMapInputs<R, P..., Inputs...>();
  return detail::ReadOutcome<R>(
      detail::CallMap("task", task.name, options, true, std::nullopt, inputs...));
}
template <class R, class... P, class... Inputs>
MapOutcome<R> MapCollect(TaskOf<R(P...)> task, const Inputs&... inputs) {
  return MapCollect(MapOptions{}, task, inputs...);
}

// A task by name, its results decoded as R (untyped: the types are checked per item, in
// the worker).
template <class R, class... Inputs>
std::vector<R> MapTask(std::string_view task, const Inputs&... inputs) {
  return detail::MapInto<R>("task", task, MapOptions{}, inputs...);
}

// A Python function (registered with @goray.remote / @goray.local in the py-defs file, or
// importable by dotted name), item by item in chunks in Ray's workers.
template <class R, class... Inputs>
std::vector<R> MapPython(std::string_view function, const Inputs&... inputs) {
  return detail::MapInto<R>("python", function, MapOptions{}, inputs...);
}

}  // namespace goray
