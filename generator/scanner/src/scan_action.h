// The per-translation-unit work of a scan as a LibTooling ToolAction: parse (function
// bodies skipped: only declarations matter), then run the Collector over the AST.
#pragma once

#include <memory>
#include <set>
#include <string>

#include <clang/Tooling/Tooling.h>
#include <llvm/Support/FileSystem/UniqueID.h>
#include <llvm/Support/raw_ostream.h>

#include "model.h"
#include "scanned_files.h"

namespace goray::scan {

// What every translation unit of one scan shares.
struct ScanState {
  ScannedFiles& scanned;  // grows by the project headers the sources include
  Model& model;
  std::string goray_include;  // the directory of <goray/goray.h>: not the project's
  std::set<llvm::sys::fs::UniqueID> seen_files;  // every file any translation unit read
  llvm::raw_ostream& statistics;  // where clang writes per-file statistics (dropped)
};

class ScanToolAction : public clang::tooling::ToolAction {
 public:
  explicit ScanToolAction(ScanState& state) : state_(state) {}

  bool runInvocation(std::shared_ptr<clang::CompilerInvocation> invocation,
                     clang::FileManager* files,
                     std::shared_ptr<clang::PCHContainerOperations> pch_operations,
                     clang::DiagnosticConsumer* diagnostics) override;

 private:
  ScanState& state_;
};

}  // namespace goray::scan
