// What the scanner needs while it reads one translation unit: where declarations are
// (scanned file? position relative to the root?), how to report a broken rule, and the
// model that collects the findings of every translation unit.
#pragma once

#include <optional>
#include <string>

#include <clang/AST/PrettyPrinter.h>
#include <clang/Basic/SourceLocation.h>
#include <llvm/ADT/DenseMap.h>

#include "model.h"
#include "scanned_files.h"

// Only named here: Clang's AST headers cost seconds a translation unit, so each file
// includes those it uses.
namespace clang {
class ASTContext;
class CXXRecordDecl;
class DiagnosticsEngine;
class Sema;
class SourceManager;
}  // namespace clang

namespace goray::scan {

// Source positions of one translation unit, relative to the scan's root.
class Locator {
 public:
  Locator(const clang::SourceManager& sources, const ScannedFiles& scanned)
      : sources_(sources), scanned_(scanned) {}

  // Whether `location` (its expansion) is in one of the scanned files.
  bool InScannedFile(clang::SourceLocation location);
  // The position of `location` (its expansion) when its file is inside the root.
  std::optional<Position> PositionOf(clang::SourceLocation location);
  // Like PositionOf, with a file that is outside the root named by its path.
  Position Describe(clang::SourceLocation location);
  const std::string& root() const { return scanned_.root(); }

 private:
  struct FileFacts {
    bool scanned = false;
    bool within_root = false;
    std::string name;  // relative to the root when within it, else the absolute path
  };
  const FileFacts* Facts(clang::FileID file);

  const clang::SourceManager& sources_;
  const ScannedFiles& scanned_;
  llvm::DenseMap<clang::FileID, FileFacts> facts_;
};

// Reports the scanner's errors through clang's diagnostics engine, so they look and
// count like clang's own.
class Reporter {
 public:
  explicit Reporter(clang::DiagnosticsEngine& engine);
  void Error(clang::SourceLocation location, const std::string& message);
  // Something the rules skip that a user may have meant to export.
  void Warning(clang::SourceLocation location, const std::string& message);
  void Note(clang::SourceLocation location, const std::string& message);

 private:
  clang::DiagnosticsEngine& engine_;
  unsigned error_id_;
  unsigned warning_id_;
  unsigned note_id_;
};

struct TuContext {
  TuContext(clang::ASTContext& ast, const ScannedFiles& scanned, Model& model,
            clang::Sema* sema = nullptr);

  // The definition of `record`. Function bodies are skipped, so a class template
  // specialization only a declaration names (`double Get(Box<double> b);`) has not been
  // instantiated: Sema instantiates it now, as a call would (null: no definition).
  const clang::CXXRecordDecl* Definition(const clang::CXXRecordDecl& record,
                                         clang::SourceLocation use);

  clang::ASTContext& ast;
  clang::SourceManager& sources;
  Locator locator;
  Reporter reporter;
  Model& model;
  // Types as written, for messages ("std::vector<int32_t>").
  clang::PrintingPolicy message_policy;
  // Canonical types, fully qualified ("std::vector<int>").
  clang::PrintingPolicy canonical_policy;
  // The translation unit's Sema, alive while the collector runs (null in a bare AST).
  clang::Sema* sema;
};

}  // namespace goray::scan
