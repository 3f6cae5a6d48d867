#include "clash.h"

// A driver named like the table's helpers.
GORAY_DRIVER int RegisterApplication_() { return 0; }
