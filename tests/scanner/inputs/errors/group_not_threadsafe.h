#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR GORAY_CONCURRENCY_GROUP("io", 2) Fetcher {
 public:
  GORAY_IN_GROUP("io") int64_t Fetch(int64_t page);
};
