#include <cstdint>
#include <goray/annotations.h>
GORAY_KEEP_GIL int64_t Twice(int64_t x);
