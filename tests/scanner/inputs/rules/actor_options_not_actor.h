#include <cstdint>
#include <goray/annotations.h>
class GORAY_ACTOR_OPTIONS(R"({"max_restarts": 1})") Helper {
 public:
  int64_t Fetch(int64_t page);
};
