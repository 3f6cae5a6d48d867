// The kernels, and a C++ caller that passes arrays to every wrapper form.
#include "kernels.h"

#include <utility>

#include "arrays_app.goray.h"

namespace kernels {

goray::Array<double> Tasks::Scale(goray::ArrayView<double> a, double factor) {
  auto result = goray::Array<double>::Zeros(a.shape());
  for (int64_t i = 0; i < a.size(); ++i) result[i] = a[i] * factor;
  return result;
}

double Tasks::Sum(std::span<const double> values) {
  double sum = 0;
  for (double value : values) sum += value;
  return sum;
}

Samples Tasks::Echo(const Samples& samples) { return samples; }

int64_t Tasks::Count(const goray::ArrayView<bool>& mask, int64_t start) {
  int64_t count = start;
  for (bool value : mask) count += value ? 1 : 0;
  return count;
}

goray::Array<std::complex<double>> Tasks::Widen(goray::Array<std::complex<float>> signal) {
  auto result = goray::Array<std::complex<double>>::Zeros(signal.shape());
  for (int64_t i = 0; i < signal.size(); ++i) result[i] = signal[i];
  return result;
}

std::tuple<goray::Array<int8_t>, goray::Array<uint8_t>, goray::Array<int16_t>,
           goray::Array<uint16_t>>
Tasks::Narrow(std::span<const int32_t> values, goray::ArrayView<uint32_t> more) {
  auto count = static_cast<int64_t>(values.size());
  return {goray::Array<int8_t>::Zeros({count}), goray::Array<uint8_t>::Zeros({count}),
          goray::Array<int16_t>::Zeros(more.shape()), goray::Array<uint16_t>::Zeros({})};
}

std::map<std::string, goray::Array<int64_t>> Tasks::Split(goray::ArrayView<uint64_t> values) {
  return {{"all", goray::Array<int64_t>::Zeros({values.size()})}};
}

Frame Tasks::Brighten(Frame frame, std::span<const float> gains) {
  for (int64_t i = 0; i < frame.pixels.size() && !gains.empty(); ++i) {
    frame.pixels[i] *= gains[0];
  }
  return frame;
}

goray::Array<long long> Tasks::Longs(std::span<const long long> values) {
  return goray::Array<long long>(std::vector<long long>(values.begin(), values.end()));
}

Accumulator::Accumulator(goray::ArrayView<double> start)
    : total_(goray::Array<double>::Zeros(start.shape())) {
  Add(start.span());
}

void Accumulator::Add(std::span<const double> values) {
  for (std::size_t i = 0; i < values.size() && static_cast<int64_t>(i) < total_.size(); ++i) {
    total_[static_cast<int64_t>(i)] += values[i];
  }
}

goray::Array<double> Accumulator::Total() const { return total_; }

// Every way a C++ caller passes an array to the typed wrappers: an Array lvalue (kept as
// a view), an rvalue Array (moved in), a view, and a Future of another task's Array.
GORAY_DRIVER int Drive() {
  goray::Array<double> samples(std::vector<double>{1, 2, 3});
  goray::ArrayView<double> view(samples);
  goray::Future<goray::Array<double>> scaled = arrays_app::Scale(samples, 3.0).Remote();
  goray::Future<goray::Array<double>> again = arrays_app::Scale(view).Remote();
  goray::Future<double> sum = arrays_app::Sum(scaled).Remote();
  goray::Future<double> moved = arrays_app::Sum(goray::Array<double>::Zeros({4})).Remote();
  goray::Future<goray::Array<double>> echoed = arrays_app::Echo(std::move(samples)).Remote();
  goray::Future<goray::Array<double>> echoed_view = arrays_app::Echo(view).Remote();
  goray::Array<bool> mask = goray::Array<bool>::Zeros({2});
  goray::Future<int64_t> count = arrays_app::Count(mask, 1).Remote();
  goray::Array<int32_t> values = goray::Array<int32_t>::Zeros({3});
  auto narrowed = arrays_app::Narrow(values, goray::Array<uint32_t>::Zeros({2})).Remote();
  Frame frame{goray::Array<float>::Zeros({2, 2}), std::nullopt, {}, "f"};
  auto brightened = arrays_app::Brighten(frame, goray::Array<float>::Zeros({1})).Remote();
  arrays_app::AccumulatorHandle accumulator = arrays_app::Accumulator(view).Remote();
  goray::Future<> added = accumulator.Add(again).Remote();
  goray::Future<goray::Array<double>> total = accumulator.Total().Remote();
  added.Wait();
  goray::Array<double> result = total.Get();
  (void)echoed;
  (void)echoed_view;
  (void)sum;
  (void)moved;
  (void)count;
  (void)narrowed;
  (void)brightened;
  return result.size() == 3 ? 0 : 1;
}

}  // namespace kernels
