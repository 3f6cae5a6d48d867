// Array kernels declared in a header, so the typed C++ wrappers can name every type.
#pragma once

#include <complex>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <goray/goray.h>

namespace kernels {

using Samples = goray::Array<double>;  // an alias: the IDL spells goray::Array<double>

struct Frame {
  goray::Array<float> pixels;
  std::optional<goray::Array<bool>> mask;
  std::vector<goray::Array<int32_t>> layers;
  std::string name;
};

struct GORAY_TASKS Tasks {
  goray::Array<double> Scale(goray::ArrayView<double> a, double factor = 2.0);
  double Sum(std::span<const double> values);
  Samples Echo(const Samples& samples);
  int64_t Count(const goray::ArrayView<bool>& mask, int64_t start = 0);
  goray::Array<std::complex<double>> Widen(goray::Array<std::complex<float>> signal);
  std::tuple<goray::Array<int8_t>, goray::Array<uint8_t>, goray::Array<int16_t>,
             goray::Array<uint16_t>>
  Narrow(std::span<const int32_t> values, goray::ArrayView<uint32_t> more);
  std::map<std::string, goray::Array<int64_t>> Split(goray::ArrayView<uint64_t> values);
  Frame Brighten(Frame frame, std::span<const float> gains);
  goray::Array<long long> Longs(std::span<const long long> values);
};

class GORAY_ACTOR Accumulator {
 public:
  explicit Accumulator(goray::ArrayView<double> start);
  void Add(std::span<const double> values);
  goray::Array<double> Total() const;

 private:
  goray::Array<double> total_;
};

}  // namespace kernels
