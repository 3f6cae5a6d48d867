// The actor's methods: their IDL locations name this file.
#pragma once

#include <cstdint>

struct Parent {
  int64_t Get() { return 1; }
};
