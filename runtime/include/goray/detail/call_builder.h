// Assembles the payload of a Native2Py call from a C++ argument pack: values go
// into the args block, ObjectRefs become positions in the JSON options, and
// goray::Options (which must follow the arguments) become JSON members.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/driver_call.h"
#include "goray/errors.h"
#include "goray/object_ref.h"
#include "goray/options.h"

namespace goray::detail {

template <class T>
inline constexpr bool kIsOption = std::is_same_v<std::remove_cvref_t<T>, Option>;
template <class T>
inline constexpr bool kIsRef = std::is_base_of_v<ObjectRef, std::remove_cvref_t<T>>;

// True when no argument follows an Option.
template <class... Args>
constexpr bool OptionsFollowArguments() {
  constexpr bool kIsOptionAt[] = {false, kIsOption<Args>...};
  for (std::size_t i = 2; i < sizeof kIsOptionAt; ++i) {
    if (kIsOptionAt[i - 1] && !kIsOptionAt[i]) return false;
  }
  return true;
}

template <class... Args>
inline constexpr bool kHasRefs = (kIsRef<Args> || ...);

class CallBuilder {
 public:
  CallBuilder() : buffer_(256), packer_(buffer_) { BeginArgsUnit(buffer_); }

  template <class T>
  void Add(const T& value) {
    if constexpr (kIsOption<T>) {
      extras_.option_members += ',';
      AppendJsonString(extras_.option_members, value.key());
      extras_.option_members += ':';
      extras_.option_members += value.json();
    } else if constexpr (kIsRef<T>) {
      extras_.ref_positions.emplace_back(position_++, value.id());
      held_.push_back(value);  // alive until the driver has taken it
    } else {
      codec::detail::EncodeTargetScope arrays(buffer_);  // ext 71 aligns within buffer_
      codec::Encode(packer_, value);
      ++position_;
    }
  }

  std::size_t position() const noexcept { return position_; }

  DriverBytes Send(long long command, std::initializer_list<MetaField> meta, std::string_view callee) {
    return FinishAndSendCall(buffer_, command, meta, callee, &extras_);
  }

 private:
  codec::Buffer buffer_;
  codec::Packer packer_;
  CallExtras extras_;
  std::vector<ObjectRef> held_;
  std::size_t position_ = 0;
};

// Builds and sends a call whose reply is an object or actor id.
template <class... Args>
std::uint64_t SubmitForId(long long command, std::initializer_list<MetaField> meta,
                          std::string_view callee, const Args&... args) {
  static_assert(OptionsFollowArguments<Args...>(),
                "goray: options (goray::Option) must come after the call's arguments");
  CallBuilder builder;
  try {
    (builder.Add(args), ...);
  } catch (const std::length_error& error) {  // a value over msgpack's 32-bit lengths
    codec::detail::ThrowTooLargeIn(
        "argument " + std::to_string(builder.position()) + " of " + std::string(callee), error);
  }
  DriverBytes reply = builder.Send(command, meta, callee);
  return ParseId(reply.view(), callee);
}

}  // namespace goray::detail
