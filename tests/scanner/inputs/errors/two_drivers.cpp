#include <goray/annotations.h>
GORAY_DRIVER int First() { return 0; }
GORAY_DRIVER int Second() { return 1; }
