// Array tasks of every form and element kind, a struct with array fields, and an actor:
// called in-process through the generated stub by test_gen_arrays.py.
#include <goray/goray.h>

#include <complex>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace arrays {

struct Tile {
  goray::Array<uint8_t> pixels;
  std::optional<goray::Array<float>> weights;
  std::string name;
};

struct GORAY_TASKS Tasks {
  /// factor * a, same shape.
  goray::Array<double> Scale(goray::ArrayView<double> a, double factor) {
    auto result = goray::Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) result[i] = a[i] * factor;
    return result;
  }
  // A default after a span: the shorter call takes the span alone.
  double Sum(std::span<const double> values, double start = 0) {
    double sum = start;
    for (double value : values) sum += value;
    return sum;
  }
  int64_t Count(const goray::ArrayView<bool>& mask) {
    int64_t count = 0;
    for (bool value : mask) count += value ? 1 : 0;
    return count;
  }
  goray::Array<std::complex<double>> Conjugate(goray::Array<std::complex<double>> z) {
    for (auto& value : z) value = std::conj(value);
    return z;
  }
  std::tuple<goray::Array<int32_t>, goray::Array<uint64_t>> Split(
      const goray::Array<int64_t>& values) {
    std::vector<int32_t> low;
    std::vector<uint64_t> high;
    for (int64_t value : values) {
      low.push_back(static_cast<int32_t>(value));
      high.push_back(static_cast<uint64_t>(value) * 2);
    }
    return {goray::Array<int32_t>(std::move(low)), goray::Array<uint64_t>(std::move(high))};
  }
  Tile Invert(Tile tile) {
    for (auto& pixel : tile.pixels) pixel = static_cast<uint8_t>(255 - pixel);
    tile.name += "!";
    return tile;
  }
};

class GORAY_ACTOR Accumulator {
 public:
  explicit Accumulator(goray::ArrayView<float> start)
      : total_(std::vector<float>(start.begin(), start.end())) {}
  void Add(std::span<const float> values) {
    for (std::size_t i = 0; i < values.size(); ++i) total_[static_cast<int64_t>(i)] += values[i];
  }
  goray::Array<float> Total() const { return total_; }

 private:
  goray::Array<float> total_;
};

}  // namespace arrays
