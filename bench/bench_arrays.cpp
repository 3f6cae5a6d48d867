// Benchmark library for arrays (bench/arrays.py): `2 * a` over float64 arrays as a
// C++ task, an O(1) task over a borrowed view (the in-process zero-copy figure), a
// bytes echo (large Python bytes through a C++ task), and a driver that times the
// remote `2 * a` from C++ and reports it through an in-process Python call.
// Hand-registered, so the Release tree needs no scanner.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// 2 * a into a fresh array: calloc'ed storage (no zeroing pass), one pass of writes.
goray::Array<double> Scale2(goray::ArrayView<double> a) {
  auto out = goray::Array<double>::Zeros(a.shape());
  const double* in = a.data();
  double* result = out.data();
  const int64_t count = a.size();
  for (int64_t i = 0; i < count; ++i) result[i] = 2.0 * in[i];
  return out;
}

// O(1) work on a borrowed view: what an in-process call costs beyond the work itself.
double Ends(goray::ArrayView<double> a) {
  return a.size() == 0 ? 0.0 : a[0] + a[a.size() - 1];
}

// The bytes back as they came (a Python bytes argument arrives as bin or, large,
// as a uint8 array by address: both decode into the vector).
std::vector<std::uint8_t> EchoBytes(std::vector<std::uint8_t> data) { return data; }

// The float64 input of `count` elements, built on the first call of its size and kept
// for the process, as the Python side keeps its NumPy inputs: every timed call starts
// with the input in hand in warm memory.
const goray::Array<double>& InputOf(int64_t count) {
  static std::map<int64_t, goray::Array<double>> inputs;
  auto found = inputs.find(count);
  if (found == inputs.end()) {
    auto a = goray::Array<double>::Zeros({count});
    for (int64_t i = 0; i < count; ++i) a[i] = static_cast<double>(i % 1000);
    found = inputs.emplace(count, std::move(a)).first;
  }
  return found->second;
}

// args: MIB. Times RemoteCall("Scale2", a) and Get<ArrayView<double>> (read-only, as
// ray.get's ndarray of a plasma object is) on a float64 array of MIB MiB and checks
// the result.
int Driver(const std::vector<std::string>& args) {
  const int64_t count = std::stoll(args.at(0)) * (int64_t{1} << 20) / 8;
  const goray::Array<double>& a = InputOf(count);
  auto start = std::chrono::steady_clock::now();
  auto result = goray::Get<goray::ArrayView<double>>(goray::RemoteCall("Scale2", a));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t middle = count / 2;
  if (result.size() != count || result[0] != 2.0 * a[0] || result[middle] != 2.0 * a[middle] ||
      result[count - 1] != 2.0 * a[count - 1]) {
    throw std::runtime_error("Scale2 returned a wrong array");
  }
  goray::LocalCallPyTask("record_time", seconds);
  return 0;
}

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Scale2", &Scale2);
  registry.AddTask("Ends", &Ends);
  registry.AddTask("EchoBytes", &EchoBytes);
  registry.SetDriver(&Driver);
}
