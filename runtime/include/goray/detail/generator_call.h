// Tasks and actor methods that return goray::Generator<T>, as registry.h registers
// them: an ItemStream owns the decoded arguments and the generator made from them, so
// a `const std::string&` parameter refers into the stream for the generator's life;
// each Next() resumes the body and encodes one item (docs/protocol.md §13).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goray/array.h"
#include "goray/codec.h"
#include "goray/detail/arg_list.h"
#include "goray/generator.h"

namespace goray {

// One started generator with what it was called with. Destroying it destroys the
// generator first (its frame's destructors run), then the arguments.
class ItemStream {
 public:
  virtual ~ItemStream() = default;
  // Resumes the generator: appends its next item (a native return block of one value)
  // to `out` and returns true, or returns false once it finished. Throws what the body
  // throws.
  virtual bool Next(codec::Buffer& out) = 0;
};

// Decode the arguments and create the generator; the body runs on the first Next().
using StreamStarter = std::function<std::unique_ptr<ItemStream>(const detail::ArgList& args)>;
// For a method: `self` is the instance, kept alive by the stream.
using MethodStreamStarter = std::function<std::unique_ptr<ItemStream>(
    std::shared_ptr<void> self, const detail::ArgList& args)>;

namespace detail {

// Parameter types that refer into the request instead of holding their value: the
// request is gone once a stream has started, while the generator runs on.
template <class P>
struct BorrowsRequest : std::false_type {};
template <class T, std::size_t N>
struct BorrowsRequest<std::span<T, N>> : std::true_type {};
template <class T>
struct BorrowsRequest<goray::ArrayView<T>> : std::true_type {};
template <class C, class Traits>
struct BorrowsRequest<std::basic_string_view<C, Traits>> : std::true_type {};

template <class ParamTuple>
constexpr void CheckGeneratorParameters() {
  []<class... P>(std::tuple<P...>*) {
    static_assert((!BorrowsRequest<std::remove_cvref_t<P>>::value && ...),
                  "goray: a generator's parameter cannot be std::span, goray::ArrayView or "
                  "std::string_view: they borrow the request, which is gone after the first "
                  "item while the generator runs on; take std::vector, goray::Array or "
                  "std::string");
  }(static_cast<ParamTuple*>(nullptr));
}

// Encodes one item as a native return block of one value (a std::tuple item too).
template <class T>
void EncodeItem(codec::Buffer& out, const T& item) {
  codec::detail::ResultEncodingScope arrays(out);
  codec::Packer packer(out);
  try {
    codec::Encode(packer, item);
  } catch (const std::length_error& error) {  // a value over msgpack's 32-bit lengths
    codec::detail::ThrowTooLargeIn("a stream item", error);
  }
}

// What the stream passes the callable for a stored argument: a reference parameter
// refers to the stored value, a by-value one takes it over.
template <class P, class Stored>
decltype(auto) PassStored(Stored& stored) {
  if constexpr (std::is_reference_v<P>) {
    return static_cast<Stored&>(stored);
  } else {
    return static_cast<Stored&&>(stored);
  }
}

template <class Values, class T>
class GeneratorStream final : public ItemStream {
 public:
  GeneratorStream(std::shared_ptr<void> self, Values values)
      : self_(std::move(self)), values_(std::move(values)) {}

  // Calls `call` with the stored arguments as ParamTuple takes them.
  template <class ParamTuple, class Call>
  void Start(Call& call) {
    generator_ = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return Generator<T>(
          call(PassStored<std::tuple_element_t<I, ParamTuple>>(std::get<I>(values_))...));
    }(std::make_index_sequence<std::tuple_size_v<Values>>{});
  }

  bool Next(codec::Buffer& out) override {
    if (!generator_.Next()) return false;
    EncodeItem(out, generator_.value());
    return true;
  }

 private:
  std::shared_ptr<void> self_;  // the actor instance of a method (null for a task)
  Values values_;
  Generator<T> generator_;  // declared last: destroyed before the values it refers to
};

// Runs a stream to its end, appending one msgpack array of all its items to `out`: what
// RunTask and ActorMethodCall answer for a generator (a driver that does not stream).
void DrainAsList(ItemStream& stream, codec::Buffer& out);

}  // namespace detail
}  // namespace goray
