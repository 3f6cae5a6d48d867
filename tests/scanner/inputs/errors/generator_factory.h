#include <cstdint>
#include <goray/goray.h>
struct GORAY_ACTORS Actors {
  static goray::Generator<int64_t> Counter(int64_t start);
};
