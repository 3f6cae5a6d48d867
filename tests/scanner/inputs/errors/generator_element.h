#include <cstdint>
#include <vector>
#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  std::vector<goray::Generator<int64_t>> Split(int64_t parts);
};
