#pragma once
#include <cstdint>
#include <goray/goray.h>
namespace work {
class GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("batch", 3) Pool;
// Declared once more, with the markers it already has: still one group.
class GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("batch", 3) Pool {
 public:
  GORAY_IN_GROUP("batch") int64_t Run(int64_t n);
  int64_t Done() const;
};
}  // namespace work
