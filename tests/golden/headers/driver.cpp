// A second source including the same header.
#include <goray/annotations.h>

#include "shapes.h"

GORAY_DRIVER int Main() { return 0; }
