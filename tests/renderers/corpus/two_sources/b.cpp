#include <goray/goray.h>

#include "point.h"

namespace {
constexpr double kScale = 3;
double Helper(double v) { return v * kScale; }
}  // namespace

static int counter = 0;

struct GORAY_TASKS B {
  Point Triple(Point p) { return {Helper(p.x), Helper(p.y) + counter}; }
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 1})")
