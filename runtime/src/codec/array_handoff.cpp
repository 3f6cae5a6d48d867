// The handoff token table (thread-safe) and the scopes that decide when
// results are handed over as ext 72 owned.
// Tests: tests/cpp/array_abi_test.cpp, tests/cpp/out_of_band_abi_test.cpp
#include "codec/array_handoff.h"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "goray/detail/array_codec.h"

namespace goray::codec::detail {
namespace {

struct HandoffTable {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<void>> owners;
  std::uint64_t next = 1;
};

HandoffTable& Table() {
  static HandoffTable* const table = new HandoffTable();  // outlives static destructors
  return *table;
}

// The command scope of this thread (set by the dispatcher), and the one whose
// results are being encoded now (set by ResultEncodingScope).
thread_local HandoffResults* t_pending = nullptr;
thread_local HandoffResults* t_active = nullptr;

constexpr std::size_t kExt72FixedSize = kArrayHeadBytes + kArrayAddressBytes;

void StoreLittle(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

HandoffResults::HandoffResults(bool for_python) noexcept : previous_(t_pending) {
  t_pending = for_python ? this : nullptr;
}

HandoffResults::~HandoffResults() {
  if (!committed_) {
    for (std::uint64_t token : tokens_) ReleaseHandoff(token);
  }
  t_pending = previous_;
}

HandoffResults* ActiveHandoff() noexcept { return t_active; }

std::uint64_t RegisterHandoff(std::shared_ptr<void> owner) {
  HandoffTable& table = Table();
  std::lock_guard<std::mutex> lock(table.mutex);
  const std::uint64_t token = table.next++;
  table.owners.emplace(token, std::move(owner));
  return token;
}

bool ReleaseHandoff(std::uint64_t token) {
  std::shared_ptr<void> owner;  // freed outside the lock
  HandoffTable& table = Table();
  std::lock_guard<std::mutex> lock(table.mutex);
  auto found = table.owners.find(token);
  if (found == table.owners.end()) return false;
  owner = std::move(found->second);
  table.owners.erase(found);
  return true;
}

std::size_t LiveArrayHandoffs() {
  HandoffTable& table = Table();
  std::lock_guard<std::mutex> lock(table.mutex);
  return table.owners.size();
}

ResultEncodingScope::ResultEncodingScope(const Buffer& out) noexcept
    : target_(out), previous_(t_active) {
  t_active = t_pending;
}

ResultEncodingScope::~ResultEncodingScope() { t_active = static_cast<HandoffResults*>(previous_); }

void EncodeOwnedAddressExt(Packer& packer, char kind, std::uint8_t itemsize,
                           const std::vector<std::int64_t>& shape, const void* data,
                           std::shared_ptr<const void> owner, char flags) {
  HandoffResults* results = ActiveHandoff();
  if (results == nullptr || !owner) {
    throw std::logic_error("goray: a buffer handed over outside a handoff result encoding");
  }
  const std::uint64_t token = RegisterHandoff(std::const_pointer_cast<void>(std::move(owner)));
  try {
    results->Add(token);
  } catch (...) {
    ReleaseHandoff(token);
    throw;
  }
  const std::size_t size = kExt72FixedSize + kArrayExtentBytes * shape.size();
  char payload[kExt72FixedSize + kArrayExtentBytes * kMaxArrayDims];
  payload[0] = kind;
  payload[1] = static_cast<char>(itemsize);
  payload[2] = static_cast<char>(shape.size());
  payload[3] = flags;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    StoreLittle(payload + kArrayHeadBytes + kArrayExtentBytes * i, static_cast<std::uint64_t>(shape[i]));
  }
  const std::size_t tail = kArrayHeadBytes + kArrayExtentBytes * shape.size();  // address, token
  StoreLittle(payload + tail, reinterpret_cast<std::uintptr_t>(data));
  StoreLittle(payload + tail + 8, token);
  packer.pack_ext(size, kExtArrayAddress);
  packer.pack_ext_body(payload, static_cast<std::uint32_t>(size));
}

void EncodeArrayHandoff(Packer& packer, char kind, std::uint8_t itemsize,
                        const std::vector<std::int64_t>& shape, const void* data,
                        std::size_t bytes, std::shared_ptr<const void> owner, bool column_major) {
  if (shape.size() > kMaxArrayDims) {
    throw std::invalid_argument("goray: an array of " + std::to_string(shape.size()) +
                                " dimensions is over the limit of " +
                                std::to_string(kMaxArrayDims));
  }
  if (!owner || data == nullptr) {
    // A view (nothing to share) or a moved-from Array: hand over a copy.
    owner = CopyBlock(data, bytes);
    data = owner.get();
  }
  const auto flags = static_cast<char>(kArrayOwned | (column_major ? kArrayColumnMajor : 0U));
  EncodeOwnedAddressExt(packer, kind, itemsize, shape, data, std::move(owner), flags);
}

}  // namespace goray::codec::detail
