// Protocol features the driver turned on with Py2Native 37 EnableFeatures
// (docs/protocol.md §11). Process-wide; all off until a driver asks, so a
// library under GoRay's driver or used in-process only behaves as in version 2.
#pragma once

#include <cstdint>

namespace goray::detail {

// Pipelined submissions and batch commands (Native2Py 33 SubmitBatch, 34 GetObjects,
// WaitObject "goray_all_ready").
inline constexpr std::uint64_t kFeaturePipelined = 1;
// ObjectRefs and ActorHandles inside values (ext 73/74, Native2Py 35).
inline constexpr std::uint64_t kFeatureRefsInValues = 2;

// Large arrays out of band (docs/protocol.md §10, "Arrays out of band"): scattered call
// arguments (Native2Py 5, 13, 16 with a table), worker results by token (Py2Native 43, 44),
// GetObject lending the object store's memory. Meaningful only after EnableArrays (33).
inline constexpr std::uint64_t kFeatureArraysOutOfBand = 4;

// Single Gets read ahead (docs/protocol.md §11, "Reading ahead"): a Get that goes to the
// driver also names the live refs made after its own (GetObjects flag 2), and keeps the
// values of those the driver sends for their first Get. Needs kFeaturePipelined.
inline constexpr std::uint64_t kFeatureGetAhead = 8;

// Complex numbers, paths and durations as ext 75, 76, 77 (docs/protocol.md §5, "Value
// exts"); without it they are written as Go reads them ([re, im], a str, an int of ns).
inline constexpr std::uint64_t kFeatureValueExts = 16;

// Column-major (Fortran-order) arrays written as they are stored, bit 7 of the array
// ext's 4th byte set (docs/protocol.md §10, "Column-major arrays"); without it they are
// transposed into C order first.
inline constexpr std::uint64_t kFeatureColumnMajor = 32;

// The features this runtime implements: EnableFeatures turns on at most these.
inline constexpr std::uint64_t kSupportedFeatures = kFeaturePipelined | kFeatureRefsInValues |
                                                    kFeatureArraysOutOfBand | kFeatureGetAhead |
                                                    kFeatureValueExts | kFeatureColumnMajor;

// The features turned on now (a relaxed atomic load).
std::uint64_t Features() noexcept;
inline bool FeatureOn(std::uint64_t bit) noexcept { return (Features() & bit) != 0; }

// Turns on exactly `requested & kSupportedFeatures` (queued submissions are sent
// first when pipelining goes off) and returns those bits.
std::uint64_t SetFeatures(std::uint64_t requested);

}  // namespace goray::detail
