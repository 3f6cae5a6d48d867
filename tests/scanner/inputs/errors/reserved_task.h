#include <cstdint>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  int64_t Run__(int64_t x);
};
