#include <cstdint>
#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  int64_t Sum(goray::Generator<int64_t> numbers);
};
