// The features the driver turned on (goray/detail/features.h): read by every layer.
// SetFeatures, which also restarts the driver's session, is above them (abi/set_features.cpp).
// Tests: tests/cpp/ref_codec_test.cpp, tests/cpp/value_exts_test.cpp
#include "goray/detail/features.h"

#include <atomic>

#include "features/features_store.h"


namespace goray::detail {
namespace {
std::atomic<std::uint64_t> g_features{0};
}  // namespace

std::uint64_t Features() noexcept { return g_features.load(std::memory_order_relaxed); }

void StoreFeatures(std::uint64_t enabled) noexcept {
  g_features.store(enabled, std::memory_order_relaxed);
}

}  // namespace goray::detail
