#include <cstdint>
#include <goray/annotations.h>
struct Counter {
  int64_t Count();
};
struct Left : Counter {};
struct Right : Counter {};
struct GORAY_TASKS Tasks : Left, Right {};
