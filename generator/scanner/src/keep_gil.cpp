// GORAY_KEEP_GIL: see keep_gil.h.
#include "keep_gil.h"

#include <clang/AST/Attr.h>

namespace goray::scan {

bool HasKeepGil(const clang::FunctionDecl& function) {
  for (const clang::FunctionDecl* redeclaration : function.redecls()) {
    if (!redeclaration->hasAttrs()) continue;
    for (const auto* attribute : redeclaration->specific_attrs<clang::AnnotateAttr>()) {
      if (attribute->getAnnotation() == kKeepGil) return true;
    }
  }
  return false;
}

void CheckKeepGilMarkers(const Model& model, std::vector<Diagnostic>& diagnostics,
                         std::string& rendered) {
  for (const auto& [function, marked] : model.keep_gil_functions) {
    if (model.exported_keep_gil.count(function) != 0) continue;
    const std::string message =
        "GORAY_KEEP_GIL on " + marked.what +
        ", which is no task and no method of an actor type (only the public member functions "
        "of a GORAY_TASKS struct and the methods of an actor's class are); put it on one of "
        "those, or remove it";
    diagnostics.push_back({marked.position.file, marked.position.line, marked.position.column,
                           "error", message});
    rendered += marked.position.Describe() + ": error: " + message + "\n";
  }
}

}  // namespace goray::scan
