#include <cstdint>
#include <goray/annotations.h>
constexpr int kThreads = 2;
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", kThreads) Fetcher {
 public:
  int64_t Fetch(int64_t page);
};
