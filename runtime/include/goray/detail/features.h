// Protocol features the driver turned on with Py2Native 37 EnableFeatures
// (docs/protocol.md §11). Process-wide; all off until a driver asks, so a
// library under GoRay's driver or used in-process only behaves as in version 2.
#pragma once

#include <cstdint>

#include "goray/detail/protocol_numbers.h"

namespace goray::detail {

// The bits (kFeaturePipelined 1, kFeatureRefsInValues 2, kFeatureArraysOutOfBand 4,
// kFeatureGetAhead 8, kFeatureValueExts 16, kFeatureColumnMajor 32, kFeatureColumns 64) are
// protocol_numbers.h's, rendered from the protocol's table with what each turns on.

// The features this runtime implements: EnableFeatures turns on at most these.
inline constexpr std::uint64_t kSupportedFeatures = kFeaturePipelined | kFeatureRefsInValues |
                                                    kFeatureArraysOutOfBand | kFeatureGetAhead |
                                                    kFeatureValueExts | kFeatureColumnMajor |
                                                    kFeatureColumns;

// The features turned on now (a relaxed atomic load).
std::uint64_t Features() noexcept;
inline bool FeatureOn(std::uint64_t bit) noexcept { return (Features() & bit) != 0; }

// Turns on exactly `requested & kSupportedFeatures` (queued submissions are sent
// first when pipelining goes off) and returns those bits.
std::uint64_t SetFeatures(std::uint64_t requested);

}  // namespace goray::detail
