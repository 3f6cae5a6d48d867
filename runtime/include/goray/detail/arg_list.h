// The decoded arguments of one incoming call, and typed access to them that
// turns a decode failure into an ArgumentError naming the callee and position.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/codec.h"
#include "goray/errors.h"

namespace goray::detail {

// Thrown by DecodeArgs instead of returning, for a dry-run ArgList: every argument
// decoded, so the arguments fit the callee; nothing is called.
struct ArgumentsFit {};

// What a parameter of type P is decoded into and kept as while the call runs: a
// std::span<const T> borrows a view, which may own a copy (nested-list input).
template <class P>
struct ArgumentStorage {
  using type = P;
};
template <class T>
struct ArgumentStorage<std::span<const T>> {
  using type = codec::detail::SpanArgument<T>;
};
// std::string_view borrows the request's bytes, valid for the call.
template <>
struct ArgumentStorage<std::string_view> {
  using type = codec::detail::StringViewArgument;
};
// A vector of string views borrows them too: the request's strs, or a column's rows.
template <>
struct ArgumentStorage<std::vector<std::string_view>> {
  using type = codec::detail::StringViewsArgument<std::string_view>;
};
template <>
struct ArgumentStorage<std::vector<std::optional<std::string_view>>> {
  using type = codec::detail::StringViewsArgument<std::optional<std::string_view>>;
};

// What a parameter declared as P (with its const and reference) is kept as: by default
// ArgumentStorage of the plain type; a `const M&` of an Eigen matrix may borrow the
// received memory instead (goray/eigen.h), which a by-value M must not.
template <class P, class = void>
struct ParameterStorage {
  using type = typename ArgumentStorage<std::remove_cvref_t<P>>::type;
};

class ArgList {
 public:
  // A dry run checks the arguments only (the driver's CheckActorArgs).
  ArgList(std::string_view callee, std::vector<msgpack::object> values, bool dry_run = false)
      : callee_(callee), values_(std::move(values)), dry_run_(dry_run) {}

  std::string_view callee() const noexcept { return callee_; }
  std::size_t size() const noexcept { return values_.size(); }
  bool dry_run() const noexcept { return dry_run_; }
  const msgpack::object& operator[](std::size_t position) const { return values_[position]; }

  // Throws ArgumentError unless exactly `expected` arguments arrived.
  void RequireCount(std::size_t expected) const {
    if (values_.size() != expected) {
      throw ArgumentError(std::string(callee_), expected, values_.size());
    }
  }

  // "str", or "array (at [3]: expected int8_t, received int 300)" for a nested failure.
  static std::string DescribeReceived(const codec::DecodeError& error,
                                      const msgpack::object& value);

  // The ArgumentError for argument `position` (`value`, expected as `expected`) failing
  // to decode with `error`: the text DescribeReceived gives, and where it failed.
  static ArgumentError Refusal(std::string_view callee, std::size_t position,
                               std::string expected, const codec::DecodeError& error,
                               const msgpack::object& value);

  template <class T>
  T Get(std::size_t position) const {
    try {
      return codec::Decode<T>(values_[position]);
    } catch (const codec::DecodeError& error) {
      throw Refusal(callee_, position, codec::TypeName<T>(), error, values_[position]);
    }
  }

 private:
  std::string_view callee_;
  std::vector<msgpack::object> values_;
  bool dry_run_ = false;
};

}  // namespace goray::detail
