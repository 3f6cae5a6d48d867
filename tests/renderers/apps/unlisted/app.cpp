// Annotated source whose struct comes from an unlisted header (point.h).
#include <goray/goray.h>

#include "point.h"

struct GORAY_TASKS Tasks {
  Point Mirror(Point p) { return {p.y, p.x}; }
};
