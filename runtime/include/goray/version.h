// The runtime's version. Generated code checks it at compile time: same major,
// runtime minor at least the one the generator targeted.
//
// The one place goray's version is written: the top-level CMakeLists.txt, the
// wheel's metadata (pyproject.toml) and goray.__version__ (goray/_version.py) read
// the three numbers below, so they stay plain `#define NAME <digits>` lines.
#pragma once

// The version's numbers: generated code needs the same major and a minor at least the one
// it was generated for; a patch release has fixes only.
#define GORAY_VERSION_MAJOR 0
#define GORAY_VERSION_MINOR 1
#define GORAY_VERSION_PATCH 0

#define GORAY_VERSION_STRINGIZE_(x) #x
// A macro's value as a string literal (for GORAY_VERSION_STRING).
#define GORAY_VERSION_STRINGIZE(x) GORAY_VERSION_STRINGIZE_(x)
// "MAJOR.MINOR.PATCH", from the numbers above.
#define GORAY_VERSION_STRING                                              \
  GORAY_VERSION_STRINGIZE(GORAY_VERSION_MAJOR) "." GORAY_VERSION_STRINGIZE( \
      GORAY_VERSION_MINOR) "." GORAY_VERSION_STRINGIZE(GORAY_VERSION_PATCH)

// The GoRay FFI protocol version this runtime speaks (docs/protocol.md): 2 adds
// arrays (ext 71/72 and commands 33-36, docs/protocol.md §10); 3 adds
// EnableFeatures (37): pipelined submissions, batches, refs inside values; 4 reads
// the driver's code-1 failures as structure (docs/protocol.md §9); 5 adds
// DescribeApplication (38) and streams of generator tasks and methods (39-42,
// docs/protocol.md §13); 6 adds large arrays out of band (feature bit 4: scattered
// blocks, RunTaskOutOfBand 43 and ActorMethodCallOutOfBand 44, lent GetObject replies,
// docs/protocol.md §10, "Arrays out of band"); 7 reads complex numbers, paths and
// durations as ext 75, 76 and 77 and writes them so after EnableFeatures bit 16 (docs/protocol.md
// §5, "Value exts"); 8 reads column-major arrays (an array ext's 4th byte, bit 7) and
// writes them so after EnableFeatures bit 32 (docs/protocol.md §10, "Column-major arrays").
#define GORAY_PROTOCOL_VERSION 8
