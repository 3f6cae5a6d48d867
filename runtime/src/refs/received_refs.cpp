// ReceivedRefs: the ObjectRefs and ActorHandles a received block holds (ext 73 / 74),
// each distinct id adopted once (one state; DescribeActor 35 for a handle), and the
// thread's innermost table, which decoding copies from (ref_codec.cpp). Above ObjectRef
// and ActorHandle, whose states it makes; below the batches, the dispatcher and
// GetRuntimeContext, which adopt what they receive.
// Tests: tests/cpp/ref_codec_test.cpp
#include "refs/received_refs.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "goray/detail/driver_call.h"
#include "goray/errors.h"

namespace goray::codec::detail {

using goray::detail::CallDriver;
using goray::detail::DriverReply;

namespace {

thread_local const ReceivedRefs* t_received = nullptr;

// Calls `visit(ext object)` for every ext 73/74 in `object`; stops when it returns true.
template <class Visit>
bool VisitRefExts(const msgpack::object& object, Visit& visit) {
  switch (object.type) {
    case msgpack::type::ARRAY:
      for (std::uint32_t i = 0; i < object.via.array.size; ++i) {
        if (VisitRefExts(object.via.array.ptr[i], visit)) return true;
      }
      return false;
    case msgpack::type::MAP:
      for (std::uint32_t i = 0; i < object.via.map.size; ++i) {
        if (VisitRefExts(object.via.map.ptr[i].key, visit) ||
            VisitRefExts(object.via.map.ptr[i].val, visit)) {
          return true;
        }
      }
      return false;
    case msgpack::type::EXT:
      if (IsRefExt(object, kExtObjectRef) || IsRefExt(object, kExtActorHandle)) return visit(object);
      return false;
    default:
      return false;
  }
}

// {"actor_type_name": ..., "is_golang_actor": ...} of an actor id, or an error text.
bool DescribeActor(std::uint64_t id, std::string& type_name, bool& is_native, std::string& error) {
  std::string payload;
  goray::detail::AppendU64(payload, id);
  DriverReply reply = CallDriver(goray::detail::kDescribeActor, payload);
  if (reply.code != goray::detail::kSuccess) {
    error = "DescribeActor of actor " + std::to_string(id) + " failed (code " +
            std::to_string(reply.code) + "): " + std::string(reply.data.view());
    return false;
  }
  nlohmann::json answer = nlohmann::json::parse(reply.data.view(), nullptr, false);
  if (!answer.is_object() || !answer.contains("actor_type_name") ||
      !answer["actor_type_name"].is_string()) {
    error = "DescribeActor of actor " + std::to_string(id) + " answered no actor_type_name: " +
            std::string(reply.data.view());
    return false;
  }
  type_name = answer["actor_type_name"].get<std::string>();
  const auto native = answer.find("is_golang_actor");
  is_native = native != answer.end() && native->is_boolean() && native->get<bool>();
  return true;
}

}  // namespace

ReceivedRefs::ReceivedRefs() = default;
ReceivedRefs::~ReceivedRefs() = default;
ReceivedRefs::ReceivedRefs(ReceivedRefs&&) noexcept = default;
ReceivedRefs& ReceivedRefs::operator=(ReceivedRefs&&) noexcept = default;

bool ReceivedRefs::MayHold(std::string_view bytes) noexcept {
  // Both exts start d7 (fixext 8) and a type byte 0x49 / 0x4a.
  const char* at = bytes.data();
  const char* end = bytes.data() + bytes.size();
  while (end - at >= 2) {
    const void* found = std::memchr(at, '\xd7', static_cast<std::size_t>(end - at - 1));
    if (found == nullptr) return false;
    at = static_cast<const char*>(found);
    if (at[1] == '\x49' || at[1] == '\x4a') return true;
    ++at;
  }
  return false;
}

bool ReceivedRefs::Holds(const msgpack::object* values, std::size_t count) {
  auto found = [](const msgpack::object&) { return true; };
  for (std::size_t i = 0; i < count; ++i) {
    if (VisitRefExts(values[i], found)) return true;
  }
  return false;
}

void ReceivedRefs::Adopt(const msgpack::object* values, std::size_t count, std::string_view what) {
  std::vector<std::uint64_t> new_handles;
  auto adopt = [&](const msgpack::object& ext) {
    if (!table_) table_ = std::make_unique<Table>();  // only blocks holding one pay for it
    const std::uint64_t id = ExtId(ext);
    if (ext.via.ext.type() == kExtObjectRef) {
      if (!table_->refs.contains(id)) table_->refs.emplace(id, goray::ObjectRef(id));
    } else if (!table_->handles.contains(id) &&
               std::find(new_handles.begin(), new_handles.end(), id) == new_handles.end()) {
      new_handles.push_back(id);
    }
    return false;
  };
  for (std::size_t i = 0; i < count; ++i) VisitRefExts(values[i], adopt);
  if (new_handles.empty()) return;
  // A handle needs its type: asked of the driver (DescribeActor). Every id is
  // owned afterwards even if that fails, so that the failure releases them all
  // rather than leaving some in the driver's stores.
  std::string error;
  for (std::uint64_t id : new_handles) {
    std::string type_name;
    bool is_native = false;
    if (error.empty()) {
      try {
        DescribeActor(id, type_name, is_native, error);
      } catch (const std::exception& failure) {
        error = failure.what();
      }
    }
    table_->handles.emplace(id, goray::ActorHandle(id, std::move(type_name), is_native));
  }
  if (!error.empty()) {
    table_.reset();  // releases every id adopted above
    throw ProtocolError("goray::ProtocolError", error, std::string(what));
  }
}

void ReceivedRefs::AdoptBlock(std::string_view block, std::string_view what) {
  if (!MayHold(block)) return;
  msgpack::zone zone;
  std::vector<msgpack::object> values = goray::detail::UnpackAll(zone, block, what);
  Adopt(values.data(), values.size(), what);
}

std::size_t ReceivedRefs::refs() const noexcept { return table_ ? table_->refs.size() : 0; }
std::size_t ReceivedRefs::handles() const noexcept { return table_ ? table_->handles.size() : 0; }

const ReceivedRefs* CurrentReceivedRefs() noexcept { return t_received; }

ReceivedRefsScope::ReceivedRefsScope(const ReceivedRefs* refs) noexcept
    : previous_(std::exchange(t_received, refs)) {}
ReceivedRefsScope::~ReceivedRefsScope() { t_received = previous_; }

}  // namespace goray::codec::detail
