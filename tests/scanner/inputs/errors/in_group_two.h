#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2)
    GORAY_CONCURRENCY_GROUP("compute", 1) Cache {
 public:
  GORAY_IN_GROUP("io") GORAY_IN_GROUP("compute") int64_t Get(int64_t key);
};
