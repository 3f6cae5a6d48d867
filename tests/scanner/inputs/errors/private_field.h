#include <cstdint>
#include <goray/annotations.h>
namespace geo {
class Secret {
 public:
  int64_t id = 0;
 private:
  int64_t key_ = 0;
};
}  // namespace geo
struct GORAY_TASKS Tasks {
  void Keep(const geo::Secret& secret);
};
