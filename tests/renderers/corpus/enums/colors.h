#pragma once
#include <cstdint>

namespace paint::colors {
enum class Shade : uint8_t { kLight, kDark };
enum Legacy { kRed = 1, kGreen = 2 };
}  // namespace paint::colors
