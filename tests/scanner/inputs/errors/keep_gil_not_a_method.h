#include <cstdint>
#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  int64_t Twice(int64_t x);
};
struct Helper {
  GORAY_KEEP_GIL int64_t Fetch(int64_t page);
};
