#include <cstdint>
#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  GORAY_KEEP_GIL goray::Generator<int64_t> Count(int64_t n);
};
