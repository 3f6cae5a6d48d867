#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2) Cache {
 public:
  int64_t Get(int64_t key);

 private:
  GORAY_IN_GROUP("io") int64_t Load(int64_t key);
};
