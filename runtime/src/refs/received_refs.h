// What received_refs.cpp shares with ref_codec.cpp, which decodes ext 73 / 74 by copying
// from the table: the table itself, the thread's innermost one, and how an ext is read.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "framing/framing.h"
#include "goray/actor_handle.h"
#include "goray/detail/ref_codec.h"
#include "goray/object_ref.h"

namespace goray::codec::detail {

struct ReceivedRefs::Table {
  std::unordered_map<std::uint64_t, goray::ObjectRef> refs;
  std::unordered_map<std::uint64_t, goray::ActorHandle> handles;
};

// The table of this thread's innermost ReceivedRefsScope, null outside one.
const ReceivedRefs* CurrentReceivedRefs() noexcept;

// Whether `object` is an ext 73 / 74 (`type`) of an 8-byte id.
inline bool IsRefExt(const msgpack::object& object, std::int8_t type) noexcept {
  return object.type == msgpack::type::EXT && object.via.ext.size == 8 &&
         object.via.ext.type() == type;
}

// The id of an ext 73 / 74 (IsRefExt).
inline std::uint64_t ExtId(const msgpack::object& object) noexcept {
  return goray::detail::ReadU64(object.via.ext.data());
}

}  // namespace goray::codec::detail
