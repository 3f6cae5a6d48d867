#include <goray/annotations.h>
GORAY_DRIVER int First() { return 0; }
