// Tasks whose structs come from headers the inputs do not list.
#include <goray/annotations.h>

#include "loose.h"
#include "shapes.h"

struct GORAY_TASKS Tasks {
  Point Mirror(Point p) { return {p.y, p.x}; }
  Loose Same(Loose l) { return l; }
};
