// raytest part: a caller that Gets its refs one by one, in the order it made them (the
// driver reads ahead for such Gets: docs/protocol.md §11, "Reading ahead").
#include <cstdint>
#include <vector>

#include "parts.h"

namespace raytest {
namespace {

template <class Item>
void WaitForAll(const std::vector<Item>& items) {
  std::vector<goray::ObjectRef> refs(items.begin(), items.end());
  goray::WaitFor(refs, refs.size(), 60.0);
}

// n calls of Square(i) (then n of Counter.Incr(1) on a new counter, when `actor`), all
// waited for, then each Get in order; the sum of the squares (and of the counter's values).
double GetEachInOrder(int64_t n, bool actor) {
  std::vector<goray::Future<double>> squares;
  for (int64_t i = 0; i < n; ++i) squares.emplace_back(goray::RemoteCall("Square", static_cast<double>(i)));
  WaitForAll(squares);
  double total = 0;
  for (goray::Future<double>& square : squares) total += square.Get();
  if (actor) {
    goray::ActorHandle counter = goray::NewActor("Counter", int64_t{0});
    std::vector<goray::Future<int64_t>> counts;
    for (int64_t i = 0; i < n; ++i) counts.emplace_back(counter.RemoteCall("Incr", int64_t{1}));
    WaitForAll(counts);
    for (goray::Future<int64_t>& count : counts) total += static_cast<double>(count.Get());
  }
  return total;
}

}  // namespace

void RegisterGetsInOrder(goray::Registry& registry) { registry.AddTask("GetEachInOrder", &GetEachInOrder); }

}  // namespace raytest
