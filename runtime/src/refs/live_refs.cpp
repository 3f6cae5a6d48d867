// Live ObjectRef ids (live_refs.h): a count per id, as several ObjectRef states can hold
// one id (a ref read back from a value is a state of its own).
// Tests: tests/cpp/get_ahead_test.cpp
#include "refs/live_refs.h"

#include <map>
#include <mutex>

#include "refs/prefetched.h"

namespace goray::detail {
namespace {

struct LiveTable {
  std::mutex mutex;
  std::map<std::uint64_t, std::uint32_t> counts;
};

LiveTable& Live() {
  static LiveTable* table = new LiveTable;  // never destroyed: refs die at exit too
  return *table;
}

}  // namespace

void AddLiveRef(std::uint64_t id) {
  LiveTable& table = Live();
  std::lock_guard<std::mutex> lock(table.mutex);
  ++table.counts[id];
}

void DropLiveRef(std::uint64_t id) {
  LiveTable& table = Live();
  std::lock_guard<std::mutex> lock(table.mutex);
  auto found = table.counts.find(id);
  if (found != table.counts.end() && --found->second == 0) table.counts.erase(found);
}

std::vector<std::uint64_t> LiveRefsAfter(std::uint64_t id, std::size_t max) {
  std::vector<std::uint64_t> after;
  LiveTable& table = Live();
  std::lock_guard<std::mutex> lock(table.mutex);
  for (auto at = table.counts.upper_bound(id); at != table.counts.end() && after.size() < max; ++at) {
    if (!HasPrefetched(at->first)) after.push_back(at->first);
  }
  return after;
}

}  // namespace goray::detail
