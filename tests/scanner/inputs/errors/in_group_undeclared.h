#include <cstdint>
#include <goray/annotations.h>
class Store {
 public:
  GORAY_IN_GROUP("db") int64_t Load(int64_t key);
};
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2) Cache : public Store {
 public:
  GORAY_IN_GROUP("io") int64_t Get(int64_t key);
};
