#include <cstdint>
#include <goray/annotations.h>
struct GORAY_ACTORS Actors {
  static int64_t Counter(int64_t start);
};
