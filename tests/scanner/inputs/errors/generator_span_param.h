#include <span>
#include <goray/goray.h>
class GORAY_ACTOR Scanner {
 public:
  goray::Generator<double> Prefix(const std::span<const double>& values);
};
