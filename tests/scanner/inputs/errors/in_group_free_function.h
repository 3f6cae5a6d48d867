#include <cstdint>
#include <goray/annotations.h>
GORAY_IN_GROUP("io") int64_t Fetch(int64_t page);
