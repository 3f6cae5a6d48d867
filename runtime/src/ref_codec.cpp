// ObjectRefs and ActorHandles inside values: ext 73 / 74, adoption of received
// ids, pins of sent ones (goray/detail/ref_codec.h).
#include "goray/detail/ref_codec.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "framing.h"
#include "goray/actor_handle.h"
#include "goray/detail/features.h"
#include "goray/object_ref.h"

namespace goray::codec::detail {

using goray::detail::CallDriver;
using goray::detail::DriverReply;

namespace {

thread_local const ReceivedRefs* t_received = nullptr;

bool IsRefExt(const msgpack::object& object, std::int8_t type) noexcept {
  return object.type == msgpack::type::EXT && object.via.ext.size == 8 &&
         object.via.ext.type() == type;
}

std::uint64_t ExtId(const msgpack::object& object) noexcept {
  return goray::detail::ReadU64(object.via.ext.data());
}

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

void WriteRefExt(Packer& packer, std::int8_t type, std::uint64_t id) {
  std::string body;
  goray::detail::AppendU64(body, id);
  packer.pack_ext(8, type);
  packer.pack_ext_body(body.data(), 8);
}

[[noreturn]] void ThrowFeatureOff(const char* what) {
  throw goray::Error("goray::Error", std::string("an ") + what +
                                         " inside a value needs goray's Python driver on Ray (a "
                                         "top-level ObjectRef argument works everywhere)");
}

// {"actor_type_name": ..., "is_golang_actor": ...} of an actor id, or an error text.
bool DescribeActor(std::uint64_t id, std::string& type_name, bool& is_native, std::string& error) {
  std::string payload;
  goray::detail::AppendU64(payload, id);
  DriverReply reply = CallDriver(goray::detail::kDescribeActor, payload);
  if (reply.code != 0) {
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

std::mutex g_kept_mutex;
std::unordered_map<const void*, goray::detail::Pins> g_kept;  // guarded by g_kept_mutex
std::atomic<std::size_t> g_kept_count{0};

}  // namespace

std::shared_ptr<void> RefAccess::StateOf(const goray::ObjectRef& ref) { return ref.state_; }
std::shared_ptr<void> RefAccess::StateOf(const goray::ActorHandle& handle) { return handle.state_; }

struct ReceivedRefs::Table {
  std::unordered_map<std::uint64_t, goray::ObjectRef> refs;
  std::unordered_map<std::uint64_t, goray::ActorHandle> handles;
};

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

ReceivedRefsScope::ReceivedRefsScope(const ReceivedRefs* refs) noexcept
    : previous_(std::exchange(t_received, refs)) {}
ReceivedRefsScope::~ReceivedRefsScope() { t_received = previous_; }

void EncodeObjectRef(Packer& packer, const goray::ObjectRef& ref) {
  if (!goray::detail::FeatureOn(goray::detail::kFeatureRefsInValues)) ThrowFeatureOff("ObjectRef");
  std::shared_ptr<void> state = RefAccess::StateOf(ref);
  if (!state) throw goray::Error("goray::Error", "cannot encode an empty (default-constructed or moved-from) ObjectRef");
  WriteRefExt(packer, kExtObjectRef, ref.id());
  goray::detail::Pin(std::move(state));
}

void EncodeActorHandle(Packer& packer, const goray::ActorHandle& handle) {
  if (!goray::detail::FeatureOn(goray::detail::kFeatureRefsInValues)) ThrowFeatureOff("ActorHandle");
  std::shared_ptr<void> state = RefAccess::StateOf(handle);
  if (!state) throw goray::Error("goray::Error", "cannot encode an empty (default-constructed or moved-from) ActorHandle");
  WriteRefExt(packer, kExtActorHandle, handle.id());
  goray::detail::Pin(std::move(state));
}

namespace {

// What the ext for `id` stands for in the received value's table (null outside one).
template <class Table>
const typename Table::mapped_type& FindAdopted(const Table* table, std::uint64_t id, const std::string& ext,
                                               const std::string& expected) {
  if (table == nullptr) throw DecodeError(expected, ext + " outside a value received from the driver");
  auto found = table->find(id);
  if (found == table->end()) throw DecodeError(expected, ext + " not adopted");
  return found->second;
}

}  // namespace

void DecodeObjectRef(const msgpack::object& object, goray::ObjectRef& out, const std::string& expected) {
  if (!IsRefExt(object, kExtObjectRef)) ThrowDecodeError(expected, object);
  const std::uint64_t id = ExtId(object);
  const ReceivedRefs* received = t_received;
  out = FindAdopted(received && received->table_ ? &received->table_->refs : nullptr, id,
                    "ext 73 (object " + std::to_string(id) + ")", expected);
}

void DecodeActorHandle(const msgpack::object& object, goray::ActorHandle& out,
                       const std::string& expected) {
  if (!IsRefExt(object, kExtActorHandle)) ThrowDecodeError(expected, object);
  const std::uint64_t id = ExtId(object);
  const ReceivedRefs* received = t_received;
  // A typed handle keeps its own class: only the handle part is assigned.
  out = FindAdopted(received && received->table_ ? &received->table_->handles : nullptr, id,
                    "ext 74 (actor " + std::to_string(id) + ")", expected);
}

void KeepUntilFreed(const void* reply, goray::detail::Pins pins) {
  if (pins.empty() || reply == nullptr) return;
  std::lock_guard<std::mutex> lock(g_kept_mutex);
  goray::detail::Pins& kept = g_kept[reply];
  for (auto& state : pins) kept.push_back(std::move(state));
  g_kept_count.store(g_kept.size(), std::memory_order_release);
}

void ReleaseKeptFor(const void* reply) noexcept {
  if (g_kept_count.load(std::memory_order_acquire) == 0) return;
  goray::detail::Pins released;  // destroyed outside the lock: releases call the driver
  {
    std::lock_guard<std::mutex> lock(g_kept_mutex);
    auto found = g_kept.find(reply);
    if (found == g_kept.end()) return;
    released = std::move(found->second);
    g_kept.erase(found);
    g_kept_count.store(g_kept.size(), std::memory_order_release);
  }
}

std::size_t KeptReplies() noexcept { return g_kept_count.load(std::memory_order_acquire); }

}  // namespace goray::codec::detail
