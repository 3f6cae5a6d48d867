// Typed entries (docs/protocol.md §17): a task's, actor method's or constructor's call
// with C++ values the caller already holds, no msgpack. The registry makes one per form
// of every callable (a form per default argument); the library hands the table out
// through GorayTypedEntries to the application's CPython extension module
// (`_<name>_entries`, goray_add_app), which converts Python objects itself and calls
// them: nanobind's speed for in-process calls, with no binding code. Both sides are
// built from the same goray headers by the same compiler (one CMake project) and from
// the same IDL (goray-gen writes the fingerprint of its signatures into both), so C++
// objects cross as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/detail/protocol_numbers.h"
#include "goray/generator.h"

namespace goray::detail {

// What a typed call that failed leaves: Execute's reply code and payload for the same
// failure (5 and the §9 payload of a C++ exception; 6 and the report of a crash a Ray
// worker recovered from), so the caller raises exactly what the codec path raises.
struct TypedFailure {
  long long code = kSuccess;
  std::string payload;
};

// How a caller that cannot name every type calls a form. `args`: one per parameter (null
// for none packed), the msgpack of a value the caller packed instead of converting it (a
// type it cannot name, a value its conversions do not take), or empty; the library decodes
// it as the codec path decodes that parameter, with its ArgumentError. `result`: the
// result as a PackedResult in `result`'s storage, not the C++ value.
struct TypedPacking {
  const std::string_view* args = nullptr;
  bool result = false;
};

// A result packed for the caller: the native return block, and the states of the refs
// and handles it names (alive until the caller has decoded it, as a reply's until
// FreeMemory).
struct PackedResult {
  std::string block;
  std::vector<std::shared_ptr<void>> pins;
};

// The call of one form. `state`: the entry's own (what it calls); `self`: the actor
// instance for methods, else null; `args[i]`: an object of the form's i-th parameter
// type without cv/ref, moved from (unused where `packing` packed it); `result`: storage
// for the result's type without cv/ref (nothing for void; a std::shared_ptr<void> for a
// constructor; a TypedGenerator for a generator; a PackedResult when `packing` packs it),
// which the call constructs on success. `packing`: null when nothing is packed. False
// with `failure` set when the call failed.
using TypedThunk = bool (*)(void* state, void* self, void* const* args, void* result,
                            const TypedPacking* packing, TypedFailure* failure) noexcept;

enum class TypedKind : std::uint8_t { kTask = 0, kMethod = 1, kConstructor = 2 };

struct TypedEntry {
  TypedKind kind = TypedKind::kTask;
  std::string type;    // the actor type (methods, constructors), else ""
  std::string name;    // the task or method; a constructor's: its type
  std::size_t arity = 0;
  TypedThunk thunk = nullptr;
  std::shared_ptr<void> state;
};

// The table GorayTypedEntries returns, valid for the life of the process.
struct TypedEntries {
  std::uint64_t abi = 0;  // kTypedEntriesAbi
  // The application's name (goray_add_app's NAME), as the extension module's is made,
  // and the fingerprint of its signatures (goray-gen's): the module binds only a table
  // whose name and fingerprint are its own.
  std::string app_name;
  std::string signatures;
  // Why the registration failed ("" when it did not); `entries` is then empty.
  std::string registration_error;
  std::vector<TypedEntry> entries;
  // A constructed actor into the instance table of Execute's commands (so a call by its
  // index, on Ray or by name, reaches it): its `index`; false with `failure` set when
  // `type` is unknown.
  bool (*adopt_instance)(std::string_view type, std::shared_ptr<void> object, std::uint64_t* index,
                         TypedFailure* failure) noexcept = nullptr;
  // CloseActor of an instance; false when it was not live.
  bool (*close_instance)(std::uint64_t index) noexcept = nullptr;
  // The failure Execute answers for a call of `callee` with `received` arguments where
  // it takes `fewest` to `most` (goray::ArgumentError's one text).
  void (*count_failure)(std::string_view callee, std::size_t fewest, std::size_t most,
                        std::size_t received, TypedFailure* failure) noexcept = nullptr;
  // Runs `body(context)` as a typed call runs (RunTyped): a generator's next item.
  bool (*run)(const char* kind, std::string_view callee, void (*body)(void*), void* context,
              TypedFailure* failure) noexcept = nullptr;
};

// The layout of TypedEntries and TypedEntry: a library and an extension module of other
// goray versions never share a table.
inline constexpr std::uint64_t kTypedEntriesAbi = 4;

template <class T>
using TypedStorage = std::remove_cvref_t<T>;

// What a generator's typed call gives: the generator, and the call's values it may refer
// to (a `const std::string&` parameter), kept while it lives (destroyed after it).
template <class Item>
struct TypedGenerator {
  std::shared_ptr<void> arguments;
  Generator<Item> generator;
};

// A form's result as it crosses: TypedGenerator<T> for a Generator<T>.
template <class R>
struct TypedResultOf {
  using type = R;
};
template <class Item>
struct TypedResultOf<Generator<Item>> {
  using type = TypedGenerator<Item>;
};
template <class R>
using TypedResult = typename TypedResultOf<TypedStorage<R>>::type;

// Defined in the runtime (typed_entries.cpp). Runs `body(context)` as Execute runs a call
// (the crash report names `kind` and `callee`; a Ray worker recovers from a crash in it;
// queued submissions are sent after it) and turns what it throws into `failure`.
bool RunTyped(const char* kind, std::string_view callee, void (*body)(void*), void* context,
              TypedFailure* failure) noexcept;

}  // namespace goray::detail
