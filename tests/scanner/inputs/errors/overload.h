#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  double Scale(double x);
  double Scale(double x, double factor);
};
