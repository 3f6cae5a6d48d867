// Image kernels over NumPy tiles: Python cuts an image into tiles, each tile is a
// C++ task on Ray, and the results come back as NumPy arrays. A tile arrives as a
// read-only view of the caller's float32 pixels (no copy in the worker) and its result
// is a goray::Array<float> that NumPy receives as an ndarray.
#include <goray/goray.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

struct GORAY_TASKS ImageKernels {
  /// Sobel gradient magnitude of a tile's interior. `tile` is a 2-D float32 tile with a
  /// one-pixel halo on every side (its neighbours' pixels, or the edge repeated): a tile
  /// of (h + 2, w + 2) pixels gives (h, w) magnitudes.
  goray::Array<float> Sobel(goray::ArrayView<float> tile) {
    if (tile.ndim() != 2 || tile.shape()[0] < 3 || tile.shape()[1] < 3) {
      throw std::invalid_argument("Sobel: expected a 2-D tile of at least 3 x 3 pixels (the halo "
                                  "included), received " + std::to_string(tile.ndim()) + " dimensions");
    }
    const int64_t rows = tile.shape()[0] - 2, columns = tile.shape()[1] - 2;
    const int64_t stride = tile.shape()[1];
    auto magnitude = goray::Array<float>::Zeros({rows, columns});
    const float* pixels = tile.data();
    float* out = magnitude.data();
    for (int64_t r = 0; r < rows; ++r) {
      const float* above = pixels + r * stride;  // the rows r, r + 1, r + 2 of the tile
      const float* here = above + stride;
      const float* below = here + stride;
      for (int64_t c = 0; c < columns; ++c) {
        const float gx = (above[c + 2] + 2 * here[c + 2] + below[c + 2]) -
                         (above[c] + 2 * here[c] + below[c]);
        const float gy = (below[c] + 2 * below[c + 1] + below[c + 2]) -
                         (above[c] + 2 * above[c + 1] + above[c + 2]);
        out[r * columns + c] = std::sqrt(gx * gx + gy * gy);
      }
    }
    return magnitude;
  }

  /// The mean of every pixel of `tile`, as a double (a reduction: one number back).
  double Mean(goray::ArrayView<float> tile) {
    double sum = 0;
    for (float pixel : tile) sum += pixel;
    return tile.size() == 0 ? 0.0 : sum / static_cast<double>(tile.size());
  }
};
