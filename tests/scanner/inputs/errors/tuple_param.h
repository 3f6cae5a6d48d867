#include <cstdint>
#include <tuple>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  int64_t First(std::tuple<int64_t, int64_t> pair);
};
