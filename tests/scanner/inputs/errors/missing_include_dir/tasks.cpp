#include <cstdint>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  int64_t One() { return 1; }
};
