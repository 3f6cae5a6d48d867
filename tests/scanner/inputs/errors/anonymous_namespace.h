#include <goray/annotations.h>
namespace {
struct Point {
  double x = 0;
};
}  // namespace
struct GORAY_TASKS Tasks {
  double X(Point p);
};
