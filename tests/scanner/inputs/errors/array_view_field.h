#include <goray/goray.h>
namespace geo {
struct Batch {
  std::span<const float> points;
};
}  // namespace geo
struct GORAY_TASKS Tasks {
  int64_t Count(geo::Batch batch);
};
