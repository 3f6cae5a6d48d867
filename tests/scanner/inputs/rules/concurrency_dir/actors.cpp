#include <memory>
#include "pool.h"
struct GORAY_ACTORS Actors {
  static std::unique_ptr<work::Pool> Pool();
};
