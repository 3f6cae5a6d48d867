#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR Handle {
 public:
  int64_t _actor_id() const;
};
