// ObjectRefs and ActorHandles inside values (docs/protocol.md §12). Included by goray/codec.h.
//
//   goray::ObjectRef, goray::Future<T...>   fixext 8 type 73: u64 LE object id
//   goray::ActorHandle and classes derived from it (typed handles)
//                                           fixext 8 type 74: u64 LE actor id
//
// The ids are those of the driver's stores in this process. Ownership follows the
// bytes: ids in bytes the driver hands to this library (arguments, Get replies,
// in-process results) belong to the library, which adopts them (ReceivedRefs);
// ids in bytes the library hands to the driver are borrowed, so the states they
// name are pinned (goray/detail/pins.h: the innermost PinScope of the thread)
// until the driver has consumed those bytes.
//
// Encoding one needs the driver to have turned feature 2 on (EnableFeatures,
// goray/detail/features.h); otherwise it throws, as GoRay's driver and
// in-process-only use cannot carry it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "goray/codec_decl.h"
#include "goray/detail/pins.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/detail/type_name.h"

namespace goray {
class ObjectRef;
class ActorHandle;
template <class... T>
class Future;
}  // namespace goray

namespace goray::codec::detail {

// Whether T is encoded as ext 73 / ext 74. (std::is_base_of needs only T complete.)
template <class T>
inline constexpr bool kIsRefType = std::is_base_of_v<goray::ObjectRef, T>;
template <class T>
inline constexpr bool kIsHandleType = std::is_base_of_v<goray::ActorHandle, T>;

// The shared states behind ObjectRef and ActorHandle (friends of both).
struct RefAccess {
  static std::shared_ptr<void> StateOf(const goray::ObjectRef& ref);
  static std::shared_ptr<void> StateOf(const goray::ActorHandle& handle);
};

// The ids of one received block, adopted once each (the same id twice shares
// one state) and decoded by copying from here; what nobody copied is released
// with this table.
class ReceivedRefs {
 public:
  ReceivedRefs();
  ~ReceivedRefs();
  ReceivedRefs(ReceivedRefs&&) noexcept;
  ReceivedRefs& operator=(ReceivedRefs&&) noexcept;

  // A cheap test: false means `bytes` certainly hold no ext 73/74.
  static bool MayHold(std::string_view bytes) noexcept;
  // Whether any of the values holds an ext 73/74 (walks them).
  static bool Holds(const msgpack::object* values, std::size_t count);
  // Adopts every ext 73/74 in the values (a walk over the decoded items, whose
  // cost follows their count, not the bytes of strings, bins and arrays: cheaper
  // than MayHold on large blocks). A handle's type is asked of the driver
  // (DescribeActor); if that fails, what was adopted so far is released and the
  // error thrown. `what` names the block in errors.
  void Adopt(const msgpack::object* values, std::size_t count, std::string_view what);
  // MayHold, then unpacks `block` and adopts (for blocks decoded more than once).
  void AdoptBlock(std::string_view block, std::string_view what);

  std::size_t refs() const noexcept;
  std::size_t handles() const noexcept;

 private:
  friend void DecodeObjectRef(const msgpack::object&, goray::ObjectRef&, const std::string&);
  friend void DecodeActorHandle(const msgpack::object&, goray::ActorHandle&, const std::string&);
  struct Table;
  std::unique_ptr<Table> table_;
};

// The table decoding reads on this thread while it lives (innermost wins).
class ReceivedRefsScope {
 public:
  explicit ReceivedRefsScope(const ReceivedRefs* refs) noexcept;
  ~ReceivedRefsScope();
  ReceivedRefsScope(const ReceivedRefsScope&) = delete;
  ReceivedRefsScope& operator=(const ReceivedRefsScope&) = delete;

 private:
  const ReceivedRefs* previous_;
};

template <>
struct TypeNamer<goray::ObjectRef> {
  static std::string Get() { return "goray::ObjectRef"; }
};
template <class... T>
struct TypeNamer<goray::Future<T...>> {
  static std::string Get() { return "goray::Future<" + JoinTypeNames<T...>() + ">"; }
};
template <>
struct TypeNamer<goray::ActorHandle> {
  static std::string Get() { return "goray::ActorHandle"; }
};

// Defined in ref_codec.cpp.
void EncodeObjectRef(Packer& packer, const goray::ObjectRef& ref);
void EncodeActorHandle(Packer& packer, const goray::ActorHandle& handle);
void DecodeObjectRef(const msgpack::object& object, goray::ObjectRef& out,
                     const std::string& expected);
void DecodeActorHandle(const msgpack::object& object, goray::ActorHandle& out,
                       const std::string& expected);

// A reply handed to the driver by Execute keeps its pins until FreeMemory(reply).
void KeepUntilFreed(const void* reply, goray::detail::Pins pins);
void ReleaseKeptFor(const void* reply) noexcept;
std::size_t KeptReplies() noexcept;

}  // namespace goray::codec::detail

