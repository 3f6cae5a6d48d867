// The concurrency markers of <goray/annotations.h> (docs/scanner-rules.md): GORAY_THREADSAFE
// and GORAY_CONCURRENCY_GROUP(name, size) on an actor's class, GORAY_IN_GROUP(name) on its
// methods. Reads them from the annotate attributes and reports the broken ones; whether a
// marked class or method belongs to an actor type is known only once every translation
// unit is scanned (CheckConcurrencyMarkers).
#pragma once

#include <string>
#include <vector>

#include <clang/Basic/SourceLocation.h>
#include <llvm/ADT/StringRef.h>

#include "idl.h"
#include "model.h"
#include "tu_context.h"

namespace clang {
class CXXRecordDecl;
class FunctionDecl;
class SourceManager;
}  // namespace clang

namespace goray::scan {

struct Diagnostic;  // goray/scan/scan.h

inline constexpr llvm::StringRef kThreadSafe = "goray::threadsafe";
inline constexpr llvm::StringRef kConcurrencyGroupPrefix = "goray::concurrency_group:";
inline constexpr llvm::StringRef kInGroupPrefix = "goray::in_group:";

// GORAY_THREADSAFE or a GORAY_CONCURRENCY_GROUP: a marker of an actor's class.
bool IsClassConcurrencyMarker(llvm::StringRef annotation);
bool IsInGroupMarker(llvm::StringRef annotation);

// What a class declares: whether its methods may run at once, and its groups in
// declaration order.
struct ClassConcurrency {
  bool thread_safe = false;
  std::vector<idl::ConcurrencyGroup> groups;
  bool ok = true;  // false: a broken marker was reported
  std::string label;  // "class 'Fetcher'", for messages

  bool Declares(const std::string& group) const;
};

// The concurrency markers of `record`; a group without GORAY_THREADSAFE, a size that is not
// a positive integer literal, an empty name or a group declared twice is reported at its
// marker (`label` names the class: "class 'Fetcher'").
ClassConcurrency ReadClassConcurrency(const clang::CXXRecordDecl& record, const std::string& label,
                                      TuContext& tu);

// One GORAY_IN_GROUP marker of a function, with where it is written.
struct InGroupMarker {
  std::string group;
  clang::SourceLocation location;
};
// The GORAY_IN_GROUP markers of `function` and its redeclarations, each group once.
std::vector<InGroupMarker> InGroupMarkers(const clang::FunctionDecl& function,
                                          const clang::SourceManager& sources);

// Once every translation unit is scanned: a class marked GORAY_THREADSAFE or
// GORAY_CONCURRENCY_GROUP that no actor type builds is a warning; a GORAY_IN_GROUP method that
// no actor type exports is an error. Appends them to `diagnostics` and `rendered` (clang's
// layout), in source order.
void CheckConcurrencyMarkers(const Model& model, std::vector<Diagnostic>& diagnostics,
                             std::string& rendered);

}  // namespace goray::scan
