// raytest part: batch reads lend the object store's memory (tests/ray/test_arrays_out_of_band_cpp.py).
// The task runs in the driver process (Python calls it in-process) and reads two task
// results with one goray::Get of a vector (GetObjects 34 lending each entry).
#include <cstdint>
#include <tuple>
#include <vector>

#include <goray/goray.h>

#include "parts.h"

namespace raytest {
namespace {

goray::Array<double> Ramp(int64_t rows, double scale) {
  auto out = goray::Array<double>::Zeros({rows, 1024});
  for (int64_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(i) * scale;
  return out;
}

bool IsRamp(const goray::ArrayView<double>& values, int64_t rows, double scale) {
  if (values.size() != rows * 1024) return false;
  for (int64_t i = 0; i < values.size(); ++i) {
    if (values[i] != static_cast<double>(i) * scale) return false;
  }
  return true;
}

int64_t ObjectsInStore() {
  auto [objects, actors] = goray::LocalCallPyTask("store_sizes").Get<int64_t, int64_t>();
  (void)actors;
  return objects;
}

int64_t Address(const goray::ArrayView<double>& view) {
  return static_cast<int64_t>(reinterpret_cast<std::uintptr_t>(view.data()));
}

// goray::Get<ArrayView<double>> of [Twice(ramp), Twice(3 ramp)]: (the two views'
// addresses, whether they hold the right values, the driver's objects store size
// before the Get, while the views live, with the first dropped, after both are gone).
std::tuple<int64_t, int64_t, bool, int64_t, int64_t, int64_t, int64_t> OobBatchView(int64_t rows) {
  std::vector<goray::ObjectRef> refs = {goray::RemoteCall("Twice", Ramp(rows, 1)),
                                        goray::RemoteCall("Twice", Ramp(rows, 3))};
  for (const goray::ObjectRef& ref : refs) ref.Wait();  // Wait lends too: released at once
  const int64_t before = ObjectsInStore();
  std::vector<goray::ArrayView<double>> views = goray::Get<goray::ArrayView<double>>(refs);
  const int64_t first = Address(views.at(0));
  const int64_t second = Address(views.at(1));
  const bool right = IsRamp(views[0], rows, 2) && IsRamp(views[1], rows, 6);
  const int64_t during = ObjectsInStore();
  views.erase(views.begin());
  const int64_t one_left = ObjectsInStore();
  views.clear();
  return {first, second, right, before, during, one_left, ObjectsInStore()};
}

}  // namespace

void RegisterBatchLend(goray::Registry& registry) { registry.AddTask("OobBatchView", &OobBatchView); }

}  // namespace raytest
