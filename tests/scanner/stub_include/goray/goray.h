// A stand-in for <goray/goray.h> with what the scanner needs from it: the markers and
// the standard headers. The scanner skips function bodies, so the calls inside a driver
// need no declarations. Used while the runtime's goray.h is not there yet; the
// AppExampleWithRuntime test scans with the real one.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <goray/annotations.h>
