// GORAY_ACTOR_OPTIONS(R"({"max_restarts": 3})") (docs/scanner-rules.md): the Ray actor
// options an actor type is created with unless a creation says otherwise, declared once
// where the class (or a GORAY_ACTORS factory) is. Read from the annotate attribute and
// checked here: valid JSON, an object, options a class may declare, values Ray takes.
#pragma once

#include <optional>
#include <string>

#include <clang/Basic/SourceLocation.h>
#include <llvm/ADT/StringRef.h>
#include <nlohmann/json.hpp>

#include "tu_context.h"

namespace clang {
class Decl;
}  // namespace clang

namespace goray::scan {

inline constexpr llvm::StringRef kActorOptionsPrefix = "goray::actor_options:";

bool IsActorOptionsMarker(llvm::StringRef annotation);

// What one declaration's GORAY_ACTOR_OPTIONS says.
struct DeclaredOptions {
  nlohmann::json value = nlohmann::json::object();  // empty: no marker
  clang::SourceLocation location;                   // the marker, when there is one
  bool ok = true;  // false: a broken marker was reported
};

// The GORAY_ACTOR_OPTIONS of `decl` (and its redeclarations), checked; `label` names the
// declaration in messages ("class 'Ledger'", "factory 'Primary'"). Two different
// markers on one declaration, bad JSON, something other than an object, an option a
// class cannot declare (a per-creation one like "name", or an unknown one) or a value
// Ray refuses is an error at the marker.
DeclaredOptions ReadActorOptions(const clang::Decl& decl, const std::string& label,
                                 TuContext& tu);

}  // namespace goray::scan
