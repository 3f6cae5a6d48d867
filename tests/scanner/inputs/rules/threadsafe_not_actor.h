#include <cstdint>
#include <goray/annotations.h>
class GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2) Helper {
 public:
  int64_t Fetch(int64_t page);
};
struct GORAY_TASKS GORAY_THREADSAFE Tasks {
  static int64_t Square(int64_t x);
};
class GORAY_THREADSAFE Worker {
 public:
  int64_t Work(int64_t n);
};
struct GORAY_ACTORS Actors {
  static Worker* Make();
};
