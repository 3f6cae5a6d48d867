// Two sources with internal-linkage helpers of the same names (each source is its own
// translation unit), both using a struct from a header that is not scanned.
#include <goray/goray.h>

#include "point.h"

namespace {
constexpr double kScale = 2;
double Helper(double v) { return v * kScale; }
}  // namespace

struct GORAY_TASKS A {
  Point Double(Point p) { return {Helper(p.x), Helper(p.y)}; }
};

GORAY_DRIVER int Driver() { return 0; }
