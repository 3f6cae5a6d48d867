#include <goray/annotations.h>
struct GORAY_TASKS Math {
  double Square(double x);
};
struct GORAY_TASKS MoreMath {
  double Square(double x);
};
