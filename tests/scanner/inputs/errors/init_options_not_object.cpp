#include <goray/annotations.h>
GORAY_INIT_OPTIONS("[1, 2]");
