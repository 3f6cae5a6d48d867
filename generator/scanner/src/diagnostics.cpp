// Diagnostics capture.
#include "diagnostics.h"

#include <clang/Basic/SourceManager.h>
#include <llvm/ADT/SmallString.h>

#include "source_files.h"

namespace goray::scan {

CollectingDiagnostics::CollectingDiagnostics(llvm::raw_ostream& rendered,
                                             clang::DiagnosticOptions* options,
                                             std::string root)
    : clang::TextDiagnosticPrinter(rendered, options), root_(std::move(root)) {}

void CollectingDiagnostics::HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                                             const clang::Diagnostic& info) {
  Diagnostic diagnostic;
  diagnostic.severity = level == clang::DiagnosticsEngine::Note      ? "note"
                        : level == clang::DiagnosticsEngine::Warning ? "warning"
                                                                     : "error";
  llvm::SmallString<256> message;
  info.FormatDiagnostic(message);
  diagnostic.message = std::string(message.str());
  if (info.getLocation().isValid() && info.hasSourceManager()) {
    const clang::SourceManager& sources = info.getSourceManager();
    // As clang prints it: a macro argument where it is written, else the expansion.
    clang::PresumedLoc presumed = sources.getPresumedLoc(sources.getFileLoc(info.getLocation()));
    if (presumed.isValid()) {
      std::string file = RealPath(presumed.getFilename());
      diagnostic.file = IsWithin(file, root_) ? RelativePath(file, root_) : file;
      diagnostic.line = presumed.getLine();
      diagnostic.column = presumed.getColumn();
    }
  }

  if (level >= clang::DiagnosticsEngine::Warning) {
    bool error = level >= clang::DiagnosticsEngine::Error;
    if (error) ++received_error_count_;
    std::string key = diagnostic.severity + ":" + diagnostic.file + ":" +
                      std::to_string(diagnostic.line) + ":" +
                      std::to_string(diagnostic.column) + ": " + diagnostic.message;
    dropping_notes_ = !reported_.insert(key).second;
    if (dropping_notes_) return;
    ++(error ? error_count_ : warning_count_);
  } else if (level == clang::DiagnosticsEngine::Note) {
    if (dropping_notes_) return;
  } else {
    dropping_notes_ = false;
  }
  clang::TextDiagnosticPrinter::HandleDiagnostic(level, info);
  if (level >= clang::DiagnosticsEngine::Warning || level == clang::DiagnosticsEngine::Note) {
    diagnostics_.push_back(std::move(diagnostic));
  }
}

}  // namespace goray::scan
