// The tasks' declarations: their IDL locations name this file, not tasks.h.
#pragma once

#include <cstdint>

struct Base {
  int64_t Twice(int64_t x) { return 2 * x; }
};
