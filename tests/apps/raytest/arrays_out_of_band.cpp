// raytest part: arrays out of band on Ray (tests/ray/test_arrays_out_of_band_cpp.py).
// The Oob* tasks run in the driver process (Python calls them in-process) and use
// the C++ API against Ray from there: large arguments scattered, results handed
// over by the workers (43/44) and lent by GetObject.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <goray/goray.h>

#include "parts.h"

namespace raytest {
namespace {

// i * 0.5 * scale at flat position i, in rows of 1024.
goray::Array<double> Ramp(int64_t rows, double scale) {
  auto out = goray::Array<double>::Zeros({rows, 1024});
  for (int64_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(i) * 0.5 * scale;
  return out;
}

template <class Values>
bool IsRamp(const Values& values, int64_t rows, double scale) {
  if (values.size() != rows * 1024) return false;
  for (int64_t i = 0; i < values.size(); ++i) {
    if (values[i] != static_cast<double>(i) * 0.5 * scale) return false;
  }
  return true;
}

// Two arrays in a tuple result, and a small value between them.
std::tuple<goray::Array<double>, int64_t, goray::Array<double>> TwoScales(goray::ArrayView<double> a) {
  auto twice = goray::Array<double>::Zeros(a.shape());
  auto thrice = goray::Array<double>::Zeros(a.shape());
  for (int64_t i = 0; i < a.size(); ++i) {
    twice[i] = 2 * a[i];
    thrice[i] = 3 * a[i];
  }
  return {twice, a.size(), thrice};
}

// A stream over `a` in `parts` parts: how many values of each part are the ramp's
// (a generator's large argument goes scattered too; generators take no views).
goray::Generator<int64_t> OobRampParts(goray::Array<double> a, int64_t parts) {
  const int64_t step = (a.size() + parts - 1) / parts;
  for (int64_t begin = 0; begin < a.size(); begin += step) {
    int64_t right = 0;
    for (int64_t i = begin; i < std::min(a.size(), begin + step); ++i) {
      right += a[i] == static_cast<double>(i) * 0.5 ? 1 : 0;
    }
    co_yield right;
  }
}

// An actor whose methods hand arrays over, and that counts what its worker still holds.
class OobScaler {
 public:
  explicit OobScaler(double factor) : factor_(factor) {}
  goray::Array<double> Scale(goray::ArrayView<double> a) const {
    auto out = goray::Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) out[i] = factor_ * a[i];
    return out;
  }
  // `a` scaled, in `parts` flat parts, one item each.
  goray::Generator<goray::Array<double>> ScaleParts(goray::Array<double> a, int64_t parts) const {
    const int64_t step = (a.size() + parts - 1) / parts;
    for (int64_t begin = 0; begin < a.size(); begin += step) {
      auto part = goray::Array<double>::Zeros({std::min(step, a.size() - begin)});
      for (int64_t i = 0; i < part.size(); ++i) part[i] = factor_ * a[begin + i];
      co_yield part;
    }
  }
  // Buffers handed over to the driver in this worker and not released yet.
  int64_t Handoffs() const { return static_cast<int64_t>(goray::codec::detail::LiveArrayHandoffs()); }

 private:
  double factor_;
};

// Buffers handed over to the driver in this process and not released yet.
int64_t LiveHandoffs() { return static_cast<int64_t>(goray::codec::detail::LiveArrayHandoffs()); }

void Check(std::vector<std::string>& failures, bool ok, const std::string& what) {
  if (!ok) failures.push_back(what);
}

// A stream's array items one after the other, as `rows` x 1024 doubles (empty when
// they do not add up to that).
goray::Array<double> Joined(goray::Stream<goray::ObjectRef> refs, int64_t rows) {
  auto joined = goray::Array<double>::Zeros({rows * 1024});
  int64_t filled = 0;
  for (goray::Future<goray::Array<double>> part : goray::Stream<goray::Future<goray::Array<double>>>(std::move(refs))) {
    const goray::Array<double> values = part.Get();
    if (filled + values.size() > joined.size()) return goray::Array<double>::Zeros({0});
    std::copy(values.begin(), values.end(), joined.begin() + filled);
    filled += values.size();
  }
  return filled == joined.size() ? joined : goray::Array<double>::Zeros({0});
}

// Round trips of `rows` x 1024 doubles from the driver: what failed (empty: all passed).
std::vector<std::string> OobRoundTrips(int64_t rows) {
  std::vector<std::string> failures;
  const goray::Array<double> a = Ramp(rows, 1);
  Check(failures, IsRamp(goray::RemoteCall("Twice", a).Get<goray::Array<double>>(), rows, 2),
        "task: array argument and result");
  goray::ObjectRef twice = goray::RemoteCall("Twice", a);
  Check(failures, IsRamp(goray::RemoteCall("Twice", twice).Get<goray::Array<double>>(), rows, 4),
        "task: a task's array result by ref");
  auto [two, size, three] =
      goray::RemoteCall("TwoScales", a).Get<goray::Array<double>, int64_t, goray::Array<double>>();
  Check(failures, IsRamp(two, rows, 2) && size == rows * 1024 && IsRamp(three, rows, 3),
        "task: a tuple of two arrays");
  goray::ActorHandle scaler = goray::NewActor("OobScaler", 3.0);
  Check(failures, IsRamp(scaler.RemoteCall("Scale", a).Get<goray::Array<double>>(), rows, 3),
        "actor method: array argument and result");
  Check(failures, IsRamp(scaler.RemoteCall("Scale", twice).Get<goray::ArrayView<double>>(), rows, 6),
        "actor method: a view of the result");
  Check(failures, scaler.RemoteCall("Handoffs").Get<int64_t>() == 0,
        "actor worker: every handed-over buffer released");
  int64_t right = 0;
  for (goray::Future<int64_t> part :
       goray::Stream<goray::Future<int64_t>>(goray::RemoteStream("OobRampParts", a, int64_t{4}))) {
    right += part.Get();
  }
  Check(failures, right == rows * 1024, "task stream: a large array argument");
  Check(failures, IsRamp(Joined(scaler.RemoteStream("ScaleParts", a, int64_t{3}), rows), rows, 3),
        "actor stream: a large array argument, array items");
  scaler.Kill();
  Check(failures, IsRamp(Joined(goray::RemoteStreamPyTask("py_array_parts", a, int64_t{2}), rows), rows, 1),
        "Python generator task: a large array argument");
  auto [kind, writable] = goray::RemoteCallPyTask("py_kind", a).Get<std::string, bool>();
  Check(failures, kind == "ndarray", "Python task: received " + kind);
  Check(failures, IsRamp(goray::RemoteCallPyTask("py_identity", a).Get<goray::Array<double>>(), rows, 1),
        "Python task: the array's values");
  goray::ActorHandle storage = goray::NewPyActor("Storage");
  storage.RemoteCall("put", std::string("a"), a).Wait();
  Check(failures, IsRamp(storage.RemoteCall("get", std::string("a")).Get<goray::Array<double>>(), rows, 1),
        "Python actor: a scattered argument kept and read back");
  storage.Kill();
  return failures;
}

int64_t ObjectsInStore() {
  auto [objects, actors] = goray::LocalCallPyTask("store_sizes").Get<int64_t, int64_t>();
  (void)actors;
  return objects;
}

// A Get<ArrayView<double>> of Twice(a), or of Put(2a) with `put`: (the view's address,
// whether it holds 2a, the driver's objects store size while the view lives, after it
// is gone).
std::tuple<int64_t, bool, int64_t, int64_t> OobView(int64_t rows, bool put) {
  goray::ObjectRef ref = put ? goray::Put(Ramp(rows, 2)) : goray::RemoteCall("Twice", Ramp(rows, 1));
  int64_t address = 0;
  bool right = false;
  int64_t during = 0;
  {
    auto view = ref.Get<goray::ArrayView<double>>();
    address = static_cast<int64_t>(reinterpret_cast<std::uintptr_t>(view.data()));
    right = IsRamp(view, rows, 2);
    during = ObjectsInStore();
  }
  return {address, right, during, ObjectsInStore()};
}

// A large byte vector's size and checksum (bytes-like parameters read from a 1-D
// uint8 array, which Python callers send by address).
std::tuple<int64_t, int64_t> ByteSum(std::vector<uint8_t> bytes) {
  int64_t sum = 0;
  for (uint8_t byte : bytes) sum += byte;
  return {static_cast<int64_t>(bytes.size()), sum};
}

// Large bytes between the C++ driver and C++ tasks (`mib` MiB): a byte vector inline in
// the args block reaches the worker by address, and a bytes result is lent to Get.
// What failed (empty: all passed).
std::vector<std::string> OobBytesRoundTrips(int64_t mib) {
  std::vector<std::string> failures;
  std::vector<uint8_t> data(static_cast<std::size_t>(mib) << 20);
  int64_t sum = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(i % 251);
    sum += data[i];
  }
  const auto size = static_cast<int64_t>(data.size());
  goray::ObjectRef echoed = goray::RemoteCall("EchoBytes", data);
  Check(failures, echoed.Get<std::vector<uint8_t>>() == data, "a bytes result as a byte vector");
  const goray::Value value = echoed.Get<goray::Value>();
  Check(failures, value.is_bin() && value.as_bin().size() == data.size(),
        "a bytes result as goray::Value: bin");
  Check(failures, echoed.Get<std::string>().size() == data.size(), "a bytes result as std::string");
  Check(failures, goray::RemoteCall("ByteSum", data).Get<int64_t, int64_t>() == std::tuple{size, sum},
        "a byte vector argument");
  Check(failures, goray::RemoteCall("ByteSum", echoed).Get<int64_t, int64_t>() == std::tuple{size, sum},
        "a bytes result by ref");
  return failures;
}

}  // namespace

void RegisterArraysOutOfBand(goray::Registry& registry) {
  registry.AddTask("TwoScales", &TwoScales);
  registry.AddTask("OobRoundTrips", &OobRoundTrips);
  registry.AddTask("OobView", &OobView);
  registry.AddTask("ByteSum", &ByteSum);
  registry.AddTask("LiveHandoffs", &LiveHandoffs);
  registry.AddTask("OobRampParts", &OobRampParts);
  registry.AddTask("OobBytesRoundTrips", &OobBytesRoundTrips);
  registry.AddActor<OobScaler>("OobScaler", &goray::Constructor<OobScaler, double>::Create)
      .AddMethod("Scale", &OobScaler::Scale)
      .AddMethod("ScaleParts", &OobScaler::ScaleParts)
      .AddMethod("Handoffs", &OobScaler::Handoffs);
}

}  // namespace raytest
