#include <cstdint>
#include <goray/goray.h>
struct Feed {
  goray::Generator<int64_t> items;
};
struct GORAY_TASKS Tasks {
  int64_t Count(const Feed& feed);
};
