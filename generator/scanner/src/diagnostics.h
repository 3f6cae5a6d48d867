// Collects every diagnostic of a scan: rendered as clang renders them (for stderr) and
// as structured records (for callers and tests). An error or warning that an earlier
// translation unit already reported (a header several sources include) is dropped, with
// its notes.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <llvm/Support/raw_ostream.h>

#include "goray/scan/scan.h"

namespace goray::scan {

class CollectingDiagnostics : public clang::TextDiagnosticPrinter {
 public:
  // Renders into `rendered`; structured file names are made relative to `root`.
  CollectingDiagnostics(llvm::raw_ostream& rendered, clang::DiagnosticOptions* options,
                        std::string root);

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override;

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  unsigned error_count() const { return error_count_; }  // reported ones
  unsigned warning_count() const { return warning_count_; }  // reported ones
  unsigned received_error_count() const { return received_error_count_; }  // dropped too

 private:
  std::string root_;
  std::vector<Diagnostic> diagnostics_;
  std::set<std::string> reported_;  // "severity:file:line:column: message" of errors, warnings
  bool dropping_notes_ = false;     // the notes of a dropped error
  unsigned error_count_ = 0;
  unsigned warning_count_ = 0;
  unsigned received_error_count_ = 0;
};

}  // namespace goray::scan
