#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR Store {
 public:
  int64_t Get();
  int64_t Get() const;
};
