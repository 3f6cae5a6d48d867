#include <cstdint>
#include <goray/goray.h>
class GORAY_ACTOR Streams {
 public:
  goray::Generator<goray::Generator<int64_t>> Nested(int64_t n);
};
