// The scanner's library interface: C++ sources in, the IDL (versioned semantic JSON,
// generator/idl/idl.schema.json, docs/idl.md) or clang-style diagnostics out.
// goray-scan's main and the tests call Scan(); nothing here exposes Clang types.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace goray::scan {

// The IDL version this scanner writes ("idl_version") and the generator it names.
inline constexpr int kIdlVersion = 6;
inline constexpr const char* kGeneratorName = "goray-scan";
// goray's version (runtime/include/goray/version.h, through CMake's project()).
inline constexpr const char* kGeneratorVersion = GORAY_SCAN_VERSION;

struct ScanOptions {
  // Directory that IDL source paths are relative to. Empty: the deepest directory
  // containing every input (a file counts by its parent directory).
  std::string root;
  // Directory holding <goray/goray.h>. Empty: DefaultGorayInclude().
  std::string goray_include;
  // A directory with compile_commands.json (-p). Empty: no compilation database;
  // every file is parsed with the default flags (-std=c++20).
  std::string build_dir;
  // Extra clang arguments (after `--` on the command line), appended to every command.
  std::vector<std::string> extra_args;
  // Clang's resource directory (builtin headers). Empty: DefaultResourceDir().
  std::string resource_dir;
};

// One diagnostic: clang's own (bad input) or the scanner's (a rule broken: an error;
// a member the rules skip: a warning).
struct Diagnostic {
  std::string file;  // relative to the root when inside it, else as clang names it; "" if none
  unsigned line = 0;
  unsigned column = 0;
  std::string severity;  // "error", "warning" or "note"
  std::string message;
};

struct ScanResult {
  bool ok = false;
  nlohmann::json idl;  // the IDL when ok, else null
  std::vector<Diagnostic> diagnostics;
  // The diagnostics exactly as clang renders them (file:line:col: error: ..., source
  // lines, carets, "N errors generated."), for stderr.
  std::string rendered_diagnostics;
};

// Scans `sources` (files, or directories searched recursively for *.h *.hpp *.hh
// *.cpp *.cc *.cxx). Declarations are read only from those files.
ScanResult Scan(const std::vector<std::string>& sources, const ScanOptions& options = {});

// The IDL as goray-scan writes it: 2-space indent, keys sorted, a trailing newline
// (invalid UTF-8 in comments replaced by U+FFFD).
std::string FormatIdl(const nlohmann::json& idl);

// The directories used when the options name none: next to the executable when it is
// installed with them, else the ones baked in at build time (install_paths.h).
std::string DefaultGorayInclude();
std::string DefaultResourceDir();

}  // namespace goray::scan
