// A header no source file includes: parsed on its own.
#pragma once

#include <cstdint>

#include <goray/annotations.h>

class GORAY_ACTOR Clock {
 public:
  int64_t Tick();
};
