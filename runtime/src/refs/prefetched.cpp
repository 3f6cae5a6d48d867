// The values sent ahead of their Get, by object id (prefetched.h).
// Tests: tests/cpp/get_ahead_test.cpp
#include "refs/prefetched.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>

namespace goray::detail {
namespace {

struct PrefetchTable {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, DriverBytes> values;
  std::atomic<std::size_t> size{0};  // read without the lock: most refs never had a value
  std::atomic<std::size_t> bytes{0};
};

PrefetchTable& Prefetched() {
  static PrefetchTable* table = new PrefetchTable;  // never destroyed: refs die at exit too
  return *table;
}

}  // namespace

void KeepPrefetched(std::uint64_t id, DriverBytes value) {
  PrefetchTable& table = Prefetched();
  std::lock_guard<std::mutex> lock(table.mutex);
  const std::size_t added = value.view().size();
  auto [at, inserted] = table.values.try_emplace(id, std::move(value));
  if (!inserted) {
    table.bytes -= at->second.view().size();
    at->second = std::move(value);
  }
  table.bytes += added;
  table.size = table.values.size();
}

void KeepPrefetchedCopy(std::uint64_t id, std::string_view value) {
  void* copy = std::malloc(value.empty() ? 1 : value.size());
  if (copy == nullptr) throw std::bad_alloc();
  if (!value.empty()) std::memcpy(copy, value.data(), value.size());
  KeepPrefetched(id, DriverBytes(copy, value.size()));
}

std::optional<DriverBytes> TakePrefetched(std::uint64_t id) {
  PrefetchTable& table = Prefetched();
  if (table.size.load(std::memory_order_relaxed) == 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(table.mutex);
  auto found = table.values.find(id);
  if (found == table.values.end()) return std::nullopt;
  DriverBytes value = std::move(found->second);
  table.values.erase(found);
  table.size = table.values.size();
  table.bytes -= value.view().size();
  return value;
}

void DropPrefetched(std::uint64_t id) { TakePrefetched(id); }

bool HasPrefetched(std::uint64_t id) {
  PrefetchTable& table = Prefetched();
  if (table.size.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard<std::mutex> lock(table.mutex);
  return table.values.count(id) != 0;
}

std::size_t PrefetchedBytes() { return Prefetched().bytes.load(std::memory_order_relaxed); }

}  // namespace goray::detail
