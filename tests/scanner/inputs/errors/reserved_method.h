#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR Store {
 public:
  int64_t Get() { return 1; }
  int64_t Get__() { return 2; }
};
