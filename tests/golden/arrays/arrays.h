// NumPy arrays: goray::Array<T> everywhere a value may be, goray::ArrayView<T> and
// std::span<const T> as parameters, every element type, aliases seen through.
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

namespace img {

using Pixel = uint8_t;
using Image = goray::Array<Pixel>;  // a user alias: the IDL spells what it stands for

/// A tile of an image and where it came from.
struct Tile {
  Image pixels;                         ///< rows x columns
  std::string source;
  std::optional<goray::Array<float>> mask;
};

}  // namespace img

struct GORAY_TASKS ArrayTasks {
  /// 2 * a, in a new array.
  goray::Array<double> Scale(goray::ArrayView<double> a, double factor);
  double Sum(std::span<const double> values);
  int64_t Count(const goray::ArrayView<bool>& mask);
  goray::Array<std::complex<double>> Fft(const goray::Array<std::complex<float>>& signal);
  img::Tile Blur(img::Tile tile, std::span<const float> kernel);
  std::tuple<goray::Array<int8_t>, goray::Array<uint16_t>> Split(
      goray::Array<int32_t> values);
  std::vector<goray::Array<int64_t>> Chunks(goray::ArrayView<uint64_t> values, int64_t size);
  std::map<std::string, goray::Array<uint32_t>> Named(goray::Array<int16_t> codes);
  goray::Array<long long> Widen(std::span<const long long> values);
};

/// A running histogram.
class GORAY_ACTOR Histogram {
 public:
  explicit Histogram(goray::ArrayView<double> edges);
  void Add(std::span<const double> values);
  goray::Array<uint64_t> Counts() const;
};
