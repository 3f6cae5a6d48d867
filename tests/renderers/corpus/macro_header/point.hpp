// Found through tasks.cpp's #include and used in a signature: NAME.goray.h includes it.
#pragma once

#include <cstdint>

struct Point {
  int64_t x;
  int64_t y;
};
