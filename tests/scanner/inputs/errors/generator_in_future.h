#include <cstdint>
#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  goray::Future<goray::Generator<int64_t>> Later(int64_t n);
};
