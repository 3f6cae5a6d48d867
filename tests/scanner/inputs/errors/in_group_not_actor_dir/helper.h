#pragma once
#include <cstdint>
#include <goray/annotations.h>
class Helper {
 public:
  GORAY_IN_GROUP("io") int64_t Fetch(int64_t page);
};
