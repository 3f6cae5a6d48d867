// Sets the feature bits Features() reads (features.cpp), for SetFeatures alone.
// Tests: tests/cpp/value_exts_test.cpp
#pragma once

#include <cstdint>

namespace goray::detail {

void StoreFeatures(std::uint64_t enabled) noexcept;

}  // namespace goray::detail
