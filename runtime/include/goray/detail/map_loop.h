// The native loop of goray.map: one call runs a task (or an actor method) over a chunk
// of items, in C++, with no Python per item (docs/map.md, docs/protocol.md §16).
//
// A chunk's arguments are [header, one value per parameter]. The header is
// [count, [column?...], collect]: a parameter that is a column holds `count` items (an
// array ext of its element type, or a msgpack array of values); any other holds the one
// value every item shares (decoded once). The answer is three values: the results (an
// array of the result's element type, a msgpack array of values, or nil for void), the
// failures [[item, failure payload]...] (the first only, unless `collect`), and the
// loop's own time in nanoseconds, less its thread's waits for a CPU (the driver sizes
// chunks from it).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/array.h"
#include "goray/codec.h"
#include "goray/detail/arg_list.h"
#include "goray/detail/callable_traits.h"
#include "goray/errors.h"

namespace goray {

// A map loop: `self` is the actor instance (null for a task).
using MapInvoker = std::function<void(void* self, const detail::ArgList& args, codec::Buffer& out)>;

namespace detail {

struct MapHeader {
  std::size_t count = 0;
  std::vector<bool> column;  // per parameter
  bool collect = false;      // go on after a failure, and report every one
};

// Reads and checks args[0] against `params` parameters (ArgumentError / ProtocolError).
MapHeader ReadMapHeader(const ArgList& args, std::size_t params);
// The failure payload (docs/protocol.md §9) of the exception being handled, as a call
// of `callee` would answer it. Call only inside a catch block.
std::string CurrentFailurePayload(std::string_view callee);
// The loop's own time: the steady clock's, less the time its thread waited for a CPU
// (Linux's /proc/thread-self/schedstat; the steady clock alone where that cannot be read),
// so that a loaded machine does not make items look dearer than they are to the planner.
class LoopClock {
 public:
  LoopClock();
  std::chrono::nanoseconds Elapsed() const;

 private:
  std::int64_t waited_;  // run-queue nanoseconds at the start, -1: not readable
  std::chrono::steady_clock::time_point started_;
};
// Encodes the answer's failures and loop time after its results.
void EncodeMapTail(codec::Packer& packer,
                   const std::vector<std::pair<std::size_t, std::string>>& failures,
                   std::chrono::nanoseconds loop_time);

// A struct parameter's column given as a struct of arrays (a map of field -> column, each
// an array ext of one dimension or a msgpack array): item i as the map {field: value i}
// the struct decodes from, rebuilt for each item (valid until the next Item call).
// `fields`, the struct's own (codec::StructFields), when known: the columns must be
// those (an optional field's may be left out), else ArgumentError before any item runs.
class StructColumns {
 public:
  StructColumns(const msgpack::object& fields, std::size_t count, std::string_view callee,
                std::size_t position, std::string_view struct_name,
                const std::optional<std::vector<codec::StructField>>& struct_fields);
  const msgpack::object& Item(std::size_t i) const;

 private:
  struct Field {
    msgpack::object key;
    const msgpack::object* items = nullptr;  // a msgpack array's, or
    const char* data = nullptr;               // an array ext's elements
    char kind = 0;
    std::uint8_t itemsize = 0;
  };
  std::vector<Field> fields_;
  mutable std::vector<msgpack::object_kv> pairs_;
  mutable msgpack::object item_;
};

// What the numpy dtype of a column or a result is: "" when its items travel as
// msgpack values ("b1", "i8", "f8", "c16", ... otherwise).
template <class T>
std::string MapDtype() {
  using Plain = std::remove_cvref_t<T>;
  if constexpr (kIsArrayElement<Plain>) {
    using Dtype = codec::detail::ArrayDtype<Plain>;
    return std::string(1, Dtype::kind) + std::to_string(Dtype::itemsize);
  } else {
    return "";
  }
}

// One parameter's values in a chunk: a column of items, or the value every item shares.
template <class P>
class MapParameter {
  using Plain = std::remove_cvref_t<P>;
  using Stored = typename ArgumentStorage<Plain>::type;

 public:
  MapParameter(const ArgList& args, std::size_t position, bool column, std::size_t count)
      : args_(&args), position_(position) {
    if (!column) {
      shared_.emplace(Decode<Stored>(args[position + 1], TypeName<Plain>()));
      return;
    }
    const msgpack::object& listed = args[position + 1];
    if (listed.type == msgpack::type::ARRAY) {  // a list of values: decoded item by item
      objects_ = listed.via.array.ptr;
      Require(listed.via.array.size, count);
      return;
    }
    if constexpr (!kIsArrayElement<Plain>) {
      if (listed.type == msgpack::type::MAP) {  // a struct of arrays
        struct_columns_.emplace(listed, count, args.callee(), position, TypeName<Plain>(),
                                codec::StructFields<Stored>());
        return;
      }
    }
    if constexpr (kIsArrayElement<Plain>) {
      column_ = Decode<codec::detail::SpanArgument<Plain>>(args[position + 1],
                                                           "a column of " + TypeName<Plain>());
      std::span<const Plain> items = column_.view.span();
      items_ = items.data();
      Require(items.size(), count);
    } else {
      throw ArgumentError(std::string(args.callee()), position,
                          "a column of " + codec::TypeName<Plain>(),
                          codec::ReceivedDescription(listed));
    }
  }

  // Numbers held as an array (Items()) or as the one shared value (Shared()): what the
  // loop over blocks reads without a branch per item.
  bool Contiguous() const {
    if constexpr (kIsArrayElement<Plain>) {
      return items_ != nullptr || shared_.has_value();
    } else {
      return false;
    }
  }
  const Plain* Items() const { return items_; }
  const Stored& Shared() const { return *shared_; }

  // The value of item `i`, as the callee takes it.
  auto At(std::size_t i) const {
    if constexpr (kIsArrayElement<Plain>) {
      if (items_ != nullptr) return Plain(items_[i]);
      if (shared_) return Plain(*shared_);
      return Decode<Plain>(objects_[i], TypeName<Plain>());
    } else {
      if (shared_) return Stored(*shared_);  // each call gets its own copy
      if (struct_columns_) return Decode<Stored>(struct_columns_->Item(i), TypeName<Plain>());
      return Decode<Stored>(objects_[i], TypeName<Plain>());
    }
  }

 private:
  template <class T>
  static std::string TypeName() {
    return codec::TypeName<T>();
  }

  // `value` as T, or ArgumentError naming the parameter's own position (args[0] is the
  // header).
  template <class T>
  T Decode(const msgpack::object& value, const std::string& expected) const {
    try {
      return codec::Decode<T>(value);
    } catch (const codec::DecodeError& error) {
      throw ArgList::Refusal(args_->callee(), position_, expected, error, value);
    }
  }

  void Require(std::size_t size, std::size_t count) const {
    if (size != count) {
      throw ArgumentError(std::string(args_->callee()), position_,
                          "a column of " + std::to_string(count) + " items",
                          "one of " + std::to_string(size));
    }
  }

  const ArgList* args_;
  std::size_t position_;
  std::optional<Stored> shared_;
  // The column's view (an element type only: SpanArgument<T> needs one).
  std::conditional_t<kIsArrayElement<Plain>, codec::detail::SpanArgument<Plain>, char> column_{};
  const Plain* items_ = nullptr;
  const msgpack::object* objects_ = nullptr;
  std::optional<StructColumns> struct_columns_;
};

// Collects a chunk's results: into an array for an element type, else encoded as they come.
template <class R>
class MapResults {
 public:
  explicit MapResults(std::size_t count) {
    if constexpr (kIsArrayElement<R>) values_.resize(count);
  }
  void Set(std::size_t i, R&& value) {
    if constexpr (kIsArrayElement<R>) {
      values_[i] = value;
    } else {
      (void)i;
      codec::Encode(items_packer_, value);
      ++encoded_;
    }
  }
  // The array of results (an element type's but bool's), each item's place.
  R* data() { return values_.data(); }
  void Skip(std::size_t) {  // a failed item: nil (or 0 in an array)
    if constexpr (!kIsArrayElement<R>) {
      items_packer_.pack_nil();
      ++encoded_;
    }
  }
  void Encode(codec::Packer& packer, codec::Buffer& out, std::size_t ran) {
    if constexpr (kIsArrayElement<R>) {
      values_.resize(ran);
      codec::Encode(packer, Array<R>(std::move(values_)));
    } else {
      packer.pack_array(static_cast<std::uint32_t>(encoded_));
      out.write(items_.data(), items_.size());
    }
  }

 private:
  std::vector<R> values_;
  codec::Buffer items_{256};
  codec::Packer items_packer_{items_};
  std::size_t encoded_ = 0;
};

// Whether every parameter takes a number (an array element type): the loop over blocks.
template <class ParamTuple>
inline constexpr bool kMapsNumbers = false;
template <class... P>
inline constexpr bool kMapsNumbers<std::tuple<P...>> =
    (kIsArrayElement<std::remove_cvref_t<P>> && ...);

// Whether a result goes to the loop over blocks: a number (but bool: its results are kept
// in a std::vector<bool>, which has no array) or nothing. (A specialisation, not `||`:
// clang instantiates both sides of one.)
template <class R>
inline constexpr bool kBlocksResult = kIsArrayElement<R> && !std::is_same_v<R, bool>;
template <>
inline constexpr bool kBlocksResult<void> = true;

// Items per block of the loop over numbers: a shared value is repeated this many times,
// once per chunk, so that every parameter is read as an array.
inline constexpr std::size_t kMapBlock = 256;

// The loop over blocks, when every parameter is a number held as an array or as one shared
// value and the result a number (or void): no decoding and no branch per item, so the
// compiler can inline the callee and, with flags that allow it (-O3 -ffast-math: glibc's
// vector math), vectorise across items. Answers how many items ran; failures as the
// general loop records them.
template <class Collected, bool kVoid, class Call, class Failures, class... Parameters>
std::size_t RunBlocks(std::size_t count, bool collect, std::string_view callee,
                      Collected* __restrict out,
                      Call& call, Failures& failures, const Parameters&... parameters) {
  auto repeated = std::tuple<std::array<std::remove_cvref_t<decltype(parameters.Shared())>,
                                        kMapBlock>...>{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((parameters.Items() == nullptr ? std::get<I>(repeated).fill(parameters.Shared())
                                    : void()),
     ...);
  }(std::index_sequence_for<Parameters...>{});
  for (std::size_t base = 0; base < count; base += kMapBlock) {
    const std::size_t n = std::min(kMapBlock, count - base);
    const std::size_t stopped = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return [&](const auto*... items) -> std::size_t {
        for (std::size_t j = 0; j < n; ++j) {
          try {
            if constexpr (kVoid) {
              call(items[j]...);
            } else {
              out[base + j] = Collected(call(items[j]...));
            }
          } catch (...) {
            failures.emplace_back(base + j, CurrentFailurePayload(callee));
            if (!collect) return base + j + 1;
          }
        }
        return 0;
      }((parameters.Items() != nullptr ? parameters.Items() + base
                                       : std::get<I>(repeated).data())...);
    }(std::index_sequence_for<Parameters...>{});
    if (stopped != 0) return stopped;
  }
  return count;
}

// Runs the callable `make_call()` makes (once, after the arguments are read: a dry run
// makes none) for every item of the chunk `args` describes, as a callable with parameters
// ParamTuple and result R; answers the three values into `out`. False when `args` has
// another count of parameters (and `only` is false).
template <class ParamTuple, class R, class MakeCall>
bool MapIfArity(const ArgList& args, codec::Buffer& out, bool only, MakeCall&& make_call) {
  constexpr std::size_t kParams = std::tuple_size_v<ParamTuple>;
  if (args.size() != kParams + 1) {
    if (!only) return false;
    throw ArgumentError(std::string(args.callee()), kParams, args.size() == 0 ? 0 : args.size() - 1);
  }
  const MapHeader header = ReadMapHeader(args, kParams);
  const std::size_t count = header.count;
  auto parameters = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::tuple<MapParameter<std::tuple_element_t<I, ParamTuple>>...>{
        MapParameter<std::tuple_element_t<I, ParamTuple>>(args, I, header.column[I], count)...};
  }(std::make_index_sequence<kParams>{});
  if (args.dry_run()) throw ArgumentsFit{};

  using Plain = std::remove_cvref_t<R>;
  constexpr bool kVoid = std::is_void_v<R>;
  using Collected = std::conditional_t<kVoid, int, Plain>;
  MapResults<Collected> results(kVoid ? 0 : count);
  std::vector<std::pair<std::size_t, std::string>> failures;
  std::size_t ran = 0;
  const LoopClock clock;
  std::optional<decltype(make_call())> made;
  try {
    made.emplace(make_call());  // (a task's shared instance, built on first use, may throw)
  } catch (...) {
    const std::string payload = CurrentFailurePayload(args.callee());
    for (; ran < (header.collect ? count : std::min<std::size_t>(count, 1)); ++ran) {
      failures.emplace_back(ran, payload);
      if constexpr (!kVoid) results.Skip(ran);
    }
  }
  if (made.has_value()) {
    auto& call = *made;
    bool blocks = false;
    if constexpr (kMapsNumbers<ParamTuple> && kBlocksResult<Plain>) {
      blocks = std::apply(
          [](const auto&... parameter) { return (parameter.Contiguous() && ...); }, parameters);
      if (blocks) {
        Collected* into = nullptr;
        if constexpr (!kVoid) into = results.data();
        ran = std::apply(
            [&](const auto&... parameter) {
              return RunBlocks<Collected, kVoid>(count, header.collect, args.callee(), into,
                                                 call, failures, parameter...);
            },
            parameters);
      }
    }
    for (; !blocks && ran < count; ++ran) {
      try {
        std::apply(
            [&](const auto&... parameter) {
              if constexpr (kVoid) {
                call(parameter.At(ran)...);
              } else {
                results.Set(ran, Collected(call(parameter.At(ran)...)));
              }
            },
            parameters);
      } catch (...) {
        failures.emplace_back(ran, CurrentFailurePayload(args.callee()));
        if constexpr (!kVoid) results.Skip(ran);
        if (!header.collect) {
          ++ran;
          break;
        }
      }
    }
  }
  const std::chrono::nanoseconds loop_time = clock.Elapsed();

  codec::detail::ResultEncodingScope arrays(out);
  codec::Packer packer(out);
  if constexpr (kVoid) {
    packer.pack_nil();
  } else {
    results.Encode(packer, out, ran);
  }
  EncodeMapTail(packer, failures, loop_time);
  return true;
}

// The map loop of a callable (a task's form, the call `make_call` makes).
template <class Fn, class MakeCall>
bool MapFormIfArity(const ArgList& args, codec::Buffer& out, bool only, MakeCall&& make_call) {
  using Traits = CallableTraits<Fn>;
  return MapIfArity<typename Traits::ParamTuple, typename Traits::Result>(args, out, only,
                                                                          make_call);
}

// {"columns": [dtype per parameter], "result": dtype, "void": bool} of a callable, for
// DescribeApplication: what the driver sends as columns and reads back.
template <class Fn>
std::string MapDescription() {
  // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) on the temporaries
  // of `"..." + std::string + "..."` here.
  using Traits = CallableTraits<Fn>;
  std::string description = "{\"columns\":[";
  [&]<class... P>(std::tuple<P...>*) {
    bool first = true;
    ((description.append(first ? "\"" : ",\"").append(MapDtype<P>()).append("\""),
      first = false),
     ...);
  }(static_cast<typename Traits::ParamTuple*>(nullptr));
  using R = typename Traits::Result;
  description.append("],\"result\":\"");
  if constexpr (!std::is_void_v<R>) description.append(MapDtype<R>());
  description.append("\",\"void\":").append(std::is_void_v<R> ? "true" : "false").append("}");
  return description;
}

}  // namespace detail
}  // namespace goray
