// Project headers (docs/scanner-rules.md, "Which files are scanned"): the headers a
// scanned file includes that belong to the application (inside the sources' root; not
// system headers, not goray's own, not goray-gen's outputs). They are scanned like the
// inputs, so that the markers and structs they declare are found and the generated
// header includes them: a header left out of goray_add_app's SOURCES must not make
// wrappers vanish.
#pragma once

#include <string>

#include <clang/Lex/Preprocessor.h>

#include "scanned_files.h"

namespace goray::scan {

// Adds to `scanned` every project header `preprocessor` read. One without an include
// guard cannot be included by the generated header as well: it gets a warning instead
// (at the #include that read it). `goray_include` is the directory of <goray/goray.h>.
void AddProjectHeaders(clang::Preprocessor& preprocessor, ScannedFiles& scanned,
                       const std::string& goray_include);

}  // namespace goray::scan
