#include <cstdint>
#include <goray/goray.h>
namespace counting {
using Numbers = goray::Generator<int64_t>;
}  // namespace counting
struct GORAY_TASKS Tasks {
  counting::Numbers Upto(int64_t n);
  const goray::Generator<double> Halves(int64_t n);
};
