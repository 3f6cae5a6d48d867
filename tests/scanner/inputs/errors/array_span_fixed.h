#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  double Norm(std::span<const double, 3> xyz);
};
