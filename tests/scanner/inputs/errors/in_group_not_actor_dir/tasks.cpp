#include "helper.h"
struct GORAY_TASKS Tasks {
  GORAY_IN_GROUP("io") int64_t Twice(int64_t x);
};
