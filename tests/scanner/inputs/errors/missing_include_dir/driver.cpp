#include <goray/annotations.h>
#include "no_such_header.h"
GORAY_DRIVER int Main() { return 0; }
