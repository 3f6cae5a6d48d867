// GORAY_KEEP_GIL (docs/scanner-rules.md, "Short calls"): a task or actor method whose
// in-process calls from Python keep the GIL. Read where tasks and methods are collected;
// a marked function that no actor type or GORAY_TASKS struct exports is an error once
// every file is scanned.
#pragma once

#include <clang/AST/Decl.h>
#include <llvm/ADT/StringRef.h>

#include <string>
#include <vector>

#include "goray/scan/scan.h"
#include "model.h"

namespace goray::scan {

inline constexpr llvm::StringRef kKeepGil = "goray::keep_gil";

// Whether `function` (or a redeclaration of it) carries GORAY_KEEP_GIL.
bool HasKeepGil(const clang::FunctionDecl& function);

// The marked functions that are no task and no method of an actor type: errors.
void CheckKeepGilMarkers(const Model& model, std::vector<Diagnostic>& diagnostics,
                         std::string& rendered);

}  // namespace goray::scan
