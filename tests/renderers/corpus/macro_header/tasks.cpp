// Project headers the scan finds through #include: only the one declaring a struct of a
// signature belongs in the generated header.
#define APP_DEFAULT 3
#include "impl.hpp"
#include "point.hpp"

#include <goray/goray.h>

struct GORAY_TASKS Tasks {
  static int64_t Default() { return Cfg{}.v; }
  static Point Mirror(Point p) { return {p.y, p.x}; }
};
