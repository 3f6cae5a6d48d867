#include <cstdint>
#include <goray/annotations.h>
class GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 0) Fetcher {
 public:
  int64_t Fetch(int64_t page);
};
struct GORAY_ACTORS Actors {
  static Fetcher* Make();
};
