#include <goray/goray.h>
namespace signal {
using Window = std::span<const double>;  // an alias does not make a view a value
}  // namespace signal
struct GORAY_TASKS Tasks {
  signal::Window Last(goray::Array<double> samples);
};
