#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2) Cache {
 public:
  GORAY_IN_GROUP("io") static int64_t Hash(int64_t key);
};
