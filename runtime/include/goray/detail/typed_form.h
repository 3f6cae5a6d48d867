// How the library runs one form of a callable for the typed entries (typed_entry.h): its
// values as the caller converted them, or decoded here from what the caller packed (a
// type its module cannot name, a value its conversions do not take) with the codec path's
// decoder and ArgumentError, so a call never leaves the typed route to be answered.
// Tests: tests/cpp/typed_entries_test.cpp
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/arg_list.h"
#include "goray/detail/callable_traits.h"
#include "goray/detail/pins.h"
#include "goray/detail/typed_entry.h"

namespace goray::detail {

// The values of a call's packed arguments: decoded as the codec path decodes them, into
// storage that may borrow from `zone` (string views, spans), then as the parameter's type;
// the refs and handles among them adopted for the call, as Execute adopts an argument's.
struct UnpackedBase {
  msgpack::zone zone;
  std::vector<msgpack::object> objects;  // one per parameter, nil where not packed
  codec::detail::ReceivedRefs refs;

  // Unpacks what `packed` holds of `count` arguments and adopts the refs and handles
  // among them (typed_entries.cpp).
  void Unpack(const std::string_view* packed, std::size_t count, std::string_view callee);
};

// A result as a native return block, `encode(packer, value)` writing it, with the refs and
// handles it names pinned (typed_entries.cpp).
PackedResult PackResult(void (*encode)(codec::Packer&, void*), void* value);

template <class... Params>
struct UnpackedArguments : UnpackedBase {
  template <class P>
  using Decoded = typename ArgumentStorage<TypedStorage<P>>::type;

  std::tuple<std::optional<Decoded<Params>>...> decoded;
  std::tuple<std::optional<TypedStorage<Params>>...> values;

  // Decodes argument I of `callee`; throws its ArgumentError.
  template <std::size_t I>
  void Decode(std::string_view callee) {
    using P = std::tuple_element_t<I, std::tuple<Params...>>;
    try {
      auto& storage = std::get<I>(decoded).emplace(codec::Decode<Decoded<P>>(objects[I]));
      if constexpr (std::is_same_v<Decoded<P>, TypedStorage<P>>) {
        std::get<I>(values).emplace(std::move(storage));
      } else {
        std::get<I>(values).emplace(storage);
      }
    } catch (const codec::DecodeError& error) {
      throw ArgList::Refusal(callee, I, codec::TypeName<TypedStorage<P>>(), error, objects[I]);
    }
  }
};

// The state and thunk of one form: `Call` is how the form is called with its values
// (`call(self, values...)`), made once at registration.
template <class Result, class Call, class... Params>
struct TypedForm {
  struct State {
    const char* kind;
    std::string callee;
    Call call;
  };

  struct Frame {
    State* state;
    void* self;
    void* const* args;
    void* result;
    const TypedPacking* packing;
  };

  using Unpacked = UnpackedArguments<Params...>;

  // Argument I: the caller's value, or the one decoded from what it packed.
  template <std::size_t I>
  static auto& Value(Frame& frame, Unpacked* unpacked) {
    using P = std::tuple_element_t<I, std::tuple<Params...>>;
    if (std::get<I>(unpacked->values).has_value()) return *std::get<I>(unpacked->values);
    return *static_cast<TypedStorage<P>*>(frame.args[I]);
  }
  template <std::size_t I>
  static auto& Value(Frame& frame, std::nullptr_t) {
    using P = std::tuple_element_t<I, std::tuple<Params...>>;
    return *static_cast<TypedStorage<P>*>(frame.args[I]);
  }

  // A result as a native return block: each element of a tuple, else one value.
  template <class R>
  static PackedResult Packed(R&& result) {
    return PackResult(
        [](codec::Packer& packer, void* value) {
          auto& held = *static_cast<std::remove_reference_t<R>*>(value);
          if constexpr (IsTuple<std::remove_cvref_t<R>>::value) {
            std::apply([&](auto&... element) { (codec::Encode(packer, element), ...); }, held);
          } else {
            codec::Encode(packer, held);
          }
        },
        const_cast<void*>(static_cast<const void*>(&result)));
  }

  // A generator's items, each packed as it is yielded.
  template <class Item>
  static Generator<PackedResult> PackedItems(Generator<Item> items) {
    while (items.Next()) co_yield Packed(items.value());
  }

  // `unpacked`: the packed arguments' values (nullptr_t: none packed, no test per argument).
  template <class Unpacking>
  static void Run(Frame& frame, Unpacking unpacked) {
    auto from = [&] {
      if constexpr (std::is_null_pointer_v<Unpacking>) {
        return nullptr;
      } else {
        return unpacked->get();
      }
    }();
    const bool pack_result = frame.packing != nullptr && frame.packing->result;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      if constexpr (std::is_void_v<Result>) {
        frame.state->call(frame.self, std::move(Value<I>(frame, from))...);
      } else if constexpr (GeneratorResult<TypedStorage<Result>>::value) {
        // The values move into storage the generator shares (with what they borrow from),
        // and it is called with them.
        using Kept = std::pair<std::shared_ptr<Unpacked>, std::tuple<TypedStorage<Params>...>>;
        std::shared_ptr<Unpacked> owned;
        if constexpr (!std::is_null_pointer_v<Unpacking>) owned = std::move(*unpacked);
        auto kept = std::make_shared<Kept>(std::move(owned),
                                           std::tuple<TypedStorage<Params>...>(std::move(Value<I>(frame, from))...));
        auto generator = frame.state->call(frame.self, std::get<I>(kept->second)...);
        if (pack_result) {  // items of a type the caller cannot name: each one packed
          ::new (frame.result) TypedGenerator<PackedResult>{std::move(kept), PackedItems(std::move(generator))};
          return;
        }
        ::new (frame.result) TypedResult<Result>{std::move(kept), std::move(generator)};
      } else {
        if constexpr (!std::is_same_v<TypedStorage<Result>, std::shared_ptr<void>>) {  // (a constructor's)
          if (pack_result) {
            ::new (frame.result) PackedResult(Packed(frame.state->call(frame.self, std::move(Value<I>(frame, from))...)));
            return;
          }
        }
        ::new (frame.result) TypedStorage<Result>(
            frame.state->call(frame.self, std::move(Value<I>(frame, from))...));
      }
    }(std::index_sequence_for<Params...>{});
  }

  static void Body(void* context) {
    Frame& frame = *static_cast<Frame*>(context);
    if (frame.packing != nullptr && frame.packing->args != nullptr) [[unlikely]] {
      return RunPacked(frame);
    }
    Run(frame, nullptr);
  }

  // Out of line: a call that packs nothing keeps a small frame.
  [[gnu::noinline]] static void RunPacked(Frame& frame) {
    auto unpacked = std::make_shared<Unpacked>();
    const std::string_view* packed = frame.packing->args;
    unpacked->Unpack(packed, sizeof...(Params), frame.state->callee);
    {
      codec::detail::ReceivedRefsScope scope(&unpacked->refs);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((packed[I].empty() ? void() : unpacked->template Decode<I>(frame.state->callee)), ...);
      }(std::index_sequence_for<Params...>{});
    }
    Run(frame, &unpacked);
  }

  static bool Thunk(void* state, void* self, void* const* args, void* result, const TypedPacking* packing,
                    TypedFailure* failure) noexcept {
    State& s = *static_cast<State*>(state);
    Frame frame{&s, self, args, result, packing};
    return RunTyped(s.kind, s.callee, &Body, &frame, failure);
  }

  static TypedEntry Make(TypedKind kind, std::string type, std::string name, std::string callee,
                         Call call) {
    static constexpr const char* kKinds[] = {"task", "method", "the constructor of actor"};
    TypedEntry entry;
    entry.kind = kind;
    entry.type = std::move(type);
    entry.name = std::move(name);
    entry.arity = sizeof...(Params);
    entry.thunk = &Thunk;
    entry.state = std::make_shared<State>(
        State{kKinds[static_cast<int>(kind)], std::move(callee), std::move(call)});
    return entry;
  }
};

template <class Result, class ParamTuple, class Call>
struct TypedFormOf;
template <class Result, class... Params, class Call>
struct TypedFormOf<Result, std::tuple<Params...>, Call> {
  using type = TypedForm<Result, Call, Params...>;
};

}  // namespace goray::detail
