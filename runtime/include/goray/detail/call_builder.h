// Assembles the payload of a Native2Py call from a C++ argument pack: values go
// into the args block, ObjectRefs become positions in the JSON options, and
// goray::Options (which must follow the arguments) become JSON members.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/codec.h"
#include "goray/detail/driver_call.h"
#include "goray/detail/features.h"
#include "goray/detail/pins.h"
#include "goray/detail/submission.h"
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
  // `scatter`: a remote call (ExeRemoteTask, ExePythonRemoteTask, ActorMethodCall)
  // whose large arrays may leave the args block when the driver turned on bit 4
  // (docs/protocol.md §10, "Scattered call arguments").
  explicit CallBuilder(bool scatter = false) : buffer_(256), packer_(buffer_) {
    BeginArgsUnit(buffer_);
    if (scatter && FeatureOn(kFeatureArraysOutOfBand)) scatter_.emplace(buffer_, 8);
  }

  template <class T>
  void Add(const T& value) {
    if constexpr (kIsOption<T>) {
      extras_.option_members += ',';
      AppendJsonString(extras_.option_members, value.key());
      extras_.option_members += ':';
      extras_.option_members += value.json();
    } else if constexpr (kIsRef<T>) {
      extras_.ref_positions.emplace_back(position_++, value.id());
      Keep(ObjectRef(value));  // alive until the driver has taken it
    } else {
      PinScope pins(pins_);  // refs inside the value, likewise
      codec::detail::EncodeTargetScope arrays(buffer_);  // ext 71 aligns within buffer_
      codec::Encode(packer_, value);
      ++position_;
    }
  }

  // Keeps `object` alive as long as the call's bytes are not with the driver.
  template <class T>
  void Keep(T object) {
    pins_.push_back(std::make_shared<T>(std::move(object)));
  }

  std::size_t position() const noexcept { return position_; }

  // Makes the call a streaming one: Ray's option num_returns="streaming" (after the
  // user's options, which RejectNumReturns checked have none).
  void AddStreamingOption() { extras_.option_members += R"(,"num_returns":"streaming")"; }

  // Whether the call goes scattered: arrays were left out of the block and nothing
  // in it is pinned. A block with refs or handles inside gets its data back here
  // (the driver must parse a real block) and goes as an ordinary call.
  bool Scattered() {
    if (!scatter_ || scatter_->datas().empty()) return false;
    if (!scatter_->pinned()) return true;
    codec::Buffer joined(buffer_.size() + scatter_->left_out());
    BeginArgsUnit(joined);
    codec::detail::JoinScattered(std::string_view(buffer_.data() + 8, buffer_.size() - 8),
                                 scatter_->datas(), joined);
    scatter_.reset();
    buffer_ = std::move(joined);
    return false;
  }

  // Sends the call at once; a scattered one with its table as unit2. The arrays'
  // owners stay alive until the driver answered (they are the builder's).
  DriverBytes Send(long long command, std::initializer_list<MetaField> meta, std::string_view callee) {
    const std::vector<codec::detail::ScatteredData>* scattered =
        Scattered() ? &scatter_->datas() : nullptr;
    return FinishAndSendCall(buffer_, command, meta, callee, &extras_, scattered);
  }

  // Queues the call as a SubmitBatch record (pipelining on): its result id.
  std::uint64_t Enqueue(RecordKind kind, std::uint64_t actor_id, std::string_view name,
                        std::string_view callee) {
    if (Scattered()) throw std::logic_error("goray: a scattered call cannot be queued");
    QueuedCall call;
    call.kind = kind;
    call.actor_id = actor_id;
    call.name = name;
    call.option_members = extras_.option_members;
    call.refs = &extras_.ref_positions;
    call.args = &buffer_;
    call.args_offset = 8;  // after unit0's length placeholder
    call.pins = &pins_;
    call.callee = callee;
    return EnqueueCall(std::move(call));
  }

 private:
  codec::Buffer buffer_;
  codec::Packer packer_;
  CallExtras extras_;
  Pins pins_;
  std::size_t position_ = 0;
  // While it lives, large arrays encoded into buffer_ are left out (and their
  // owners kept); declared after buffer_, so it ends first.
  std::optional<codec::detail::ScatterScope> scatter_;
};

template <class... Args>
void AddArguments(CallBuilder& builder, std::string_view callee, const Args&... args) {
  static_assert(OptionsFollowArguments<Args...>(),
                "goray: options (goray::Option) must come after the call's arguments");
  try {
    (builder.Add(args), ...);
  } catch (const std::length_error& error) {  // a value over msgpack's 32-bit lengths
    codec::detail::ThrowTooLargeIn(
        "argument " + std::to_string(builder.position()) + " of " + std::string(callee), error);
  }
}

// Builds and sends a call at once (never queued): the driver's success payload.
template <class... Args>
DriverBytes SendCall(long long command, std::initializer_list<MetaField> meta,
                     std::string_view callee, const Args&... args) {
  CallBuilder builder;
  AddArguments(builder, callee, args...);
  return builder.Send(command, meta, callee);
}

// Builds and sends a call whose reply is an object or actor id.
template <class... Args>
std::uint64_t SubmitForId(long long command, std::initializer_list<MetaField> meta,
                          std::string_view callee, const Args&... args) {
  DriverBytes reply = SendCall(command, meta, callee, args...);
  return ParseId(reply.view(), callee);
}

// A C++ task (kExeRemoteTask) or Python task (kExePythonRemoteTask): queued when
// pipelining is on, else submitted at once. The id of its result.
// With bit 4, a call holding large arrays is sent at once, scattered, after what is
// queued (CallDriver sends that first), never queued.
template <class... Args>
std::uint64_t SubmitTask(long long command, std::string_view name, const Args&... args) {
  CallBuilder builder(/*scatter=*/true);
  AddArguments(builder, name, args...);
  if (FeatureOn(kFeaturePipelined) && !builder.Scattered()) {
    return builder.Enqueue(command == kExeRemoteTask ? kRecordTask : kRecordPyTask, 0, name, name);
  }
  const std::string_view key = command == kExeRemoteTask ? "goray_task_name" : "task_name";
  DriverBytes reply = builder.Send(command, {{key, name}}, name);
  return ParseId(reply.view(), name);
}

// An actor method call; `handle` (an ActorHandle) is kept until the call is sent.
template <class Handle, class... Args>
std::uint64_t SubmitActorCall(const Handle& handle, std::string_view method, std::string_view callee,
                              const Args&... args) {
  CallBuilder builder(/*scatter=*/true);
  AddArguments(builder, callee, args...);
  if (FeatureOn(kFeaturePipelined) && !builder.Scattered()) {
    builder.Keep(handle);
    return builder.Enqueue(kRecordActorCall, handle.id(), method, callee);
  }
  DriverBytes reply = builder.Send(
      kActorMethodCall, {{"goray_task_name", method}, {"goray_py_local_actor_id", handle.id()}}, callee);
  return ParseId(reply.view(), callee);
}

// A streaming call sets num_returns itself: the user's num_returns is refused
// (std::invalid_argument) rather than silently replaced.
template <class... Args>
void RejectNumReturns(std::string_view callee, const Args&... args) {
  // Unused when a call has no arguments (GCC's -Wunused-but-set-variable).
  [[maybe_unused]] auto check = [&](const auto& arg) {
    if constexpr (kIsOption<decltype(arg)>) {
      if (arg.key() == "num_returns") {
        throw std::invalid_argument("goray: the stream of " + std::string(callee) +
                                    " sets num_returns (\"streaming\") itself: remove the option "
                                    "num_returns (" + arg.json() + ")");
      }
    }
  };
  (check(args), ...);
}

// Submits a streaming call (options num_returns="streaming") at once, never queued:
// the driver's reply is the stream id (a ray.ObjectRefGenerator in its objects
// store). The queued submissions are sent first, as for every synchronous command.
// With bit 4, its large arrays go out of band (scattered), as a RemoteCall's do.
template <class... Args>
std::uint64_t SubmitStream(long long command, std::initializer_list<MetaField> meta,
                           std::string_view callee, const Args&... args) {
  RejectNumReturns(callee, args...);
  CallBuilder builder(/*scatter=*/true);
  AddArguments(builder, callee, args...);
  builder.AddStreamingOption();
  DriverBytes reply = builder.Send(command, meta, callee);
  return ParseId(reply.view(), callee);
}

// A streaming C++ task (kExeRemoteTask) or Python generator task (kExePythonRemoteTask).
template <class... Args>
std::uint64_t SubmitTaskStream(long long command, std::string_view name, const Args&... args) {
  const std::string_view key = command == kExeRemoteTask ? "goray_task_name" : "task_name";
  return SubmitStream(command, {{key, name}}, name, args...);
}

// A streaming actor method call; `handle` is alive throughout (the call is sent now).
template <class Handle, class... Args>
std::uint64_t SubmitActorStream(const Handle& handle, std::string_view method,
                                std::string_view callee, const Args&... args) {
  return SubmitStream(kActorMethodCall,
                      {{"goray_task_name", method}, {"goray_py_local_actor_id", handle.id()}},
                      callee, args...);
}

}  // namespace goray::detail
