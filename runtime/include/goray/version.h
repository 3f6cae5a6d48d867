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

// BEGIN rendered from generator/protocol/numbers.json: protocol-version (scripts/render-protocol.py)

// The GoRay FFI protocol version this runtime speaks, GorayProtocolVersion()'s answer
// (docs/protocol.md §7): 2 adds arrays, inline and by address (§10); 3 adds EnableFeatures,
// pipelined submissions and batches (and WaitObject's `goray_all_ready`), refs and actor
// handles inside values (§11, §12); 4 adds the driver's code-1 failures read as JSON with
// the member `Error` (§9); 5 adds the application's traits, and streams of generator tasks
// and methods (§13); 6 adds large arrays out of band: scattered blocks (and the scattered
// forms of ExeRemoteTask, ActorMethodCall and ExePythonRemoteTask), results handed over by
// address, GetObject's lend and GetObjects' flags byte (§10, "Arrays out of band"); 7 adds
// complex numbers, paths and durations as exts: read, and written after their feature bit
// (§5, "Value exts"); 8 adds column-major arrays: read, and written after their feature bit
// (§10, "Column-major arrays").
#define GORAY_PROTOCOL_VERSION 8
// END rendered: protocol-version
