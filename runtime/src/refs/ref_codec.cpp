// ObjectRefs and ActorHandles inside values: ext 73 / 74 written (their states pinned)
// and read (copied from the table received_refs.cpp adopted), and the replies' pins
// kept until FreeMemory (goray/detail/ref_codec.h).
// Tests: tests/cpp/ref_codec_test.cpp
#include "goray/detail/ref_codec.h"

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "framing/framing.h"
#include "refs/received_refs.h"
#include "goray/actor_handle.h"
#include "goray/detail/features.h"
#include "goray/object_ref.h"

namespace goray::codec::detail {

namespace {

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

std::mutex g_kept_mutex;
std::unordered_map<const void*, goray::detail::Pins> g_kept;  // guarded by g_kept_mutex
std::atomic<std::size_t> g_kept_count{0};

}  // namespace

std::shared_ptr<void> RefAccess::StateOf(const goray::ObjectRef& ref) { return ref.state_; }
std::shared_ptr<void> RefAccess::StateOf(const goray::ActorHandle& handle) { return handle.state_; }

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
  const ReceivedRefs* received = CurrentReceivedRefs();
  out = FindAdopted(received && received->table_ ? &received->table_->refs : nullptr, id,
                    "ext 73 (object " + std::to_string(id) + ")", expected);
}

void DecodeActorHandle(const msgpack::object& object, goray::ActorHandle& out,
                       const std::string& expected) {
  if (!IsRefExt(object, kExtActorHandle)) ThrowDecodeError(expected, object);
  const std::uint64_t id = ExtId(object);
  const ReceivedRefs* received = CurrentReceivedRefs();
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
