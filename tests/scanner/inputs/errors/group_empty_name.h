#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("", 2) Fetcher {
 public:
  int64_t Fetch(int64_t page);
};
