// The walk over one translation unit: every declaration in a scanned file, namespaces and
// classes entered, its goray markers read and each handed to the job that applies it
// (collect_*.cpp), or reported where it does not apply (a marker on a template, a
// GORAY_DRIVER on a variable, ...).
#include "collector.h"

#include <algorithm>

#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>

#include "actor_options.h"
#include "concurrency.h"
#include "keep_gil.h"
#include "naming.h"

namespace goray::scan {
namespace {

// What <goray/annotations.h>'s macros annotate a declaration with (the concurrency
// markers' are in concurrency.h).
constexpr llvm::StringRef kTasks = "goray::tasks";
constexpr llvm::StringRef kActors = "goray::actors";
constexpr llvm::StringRef kActor = "goray::actor";
constexpr llvm::StringRef kDriver = "goray::driver";
constexpr llvm::StringRef kInitOptions = "goray::init_options";

// The macro a marker comes from, for messages.
std::string MacroOf(llvm::StringRef marker) {
  if (marker == kTasks) return "GORAY_TASKS";
  if (marker == kActors) return "GORAY_ACTORS";
  if (marker == kActor) return "GORAY_ACTOR";
  if (marker == kDriver) return "GORAY_DRIVER";
  if (marker == kInitOptions) return "GORAY_INIT_OPTIONS";
  if (marker == kThreadSafe) return "GORAY_THREADSAFE";
  if (marker.starts_with(kConcurrencyGroupPrefix)) return "GORAY_CONCURRENCY_GROUP";
  if (IsInGroupMarker(marker)) return "GORAY_IN_GROUP";
  if (IsActorOptionsMarker(marker)) return "GORAY_ACTOR_OPTIONS";
  if (marker == kKeepGil) return "GORAY_KEEP_GIL";
  return marker.str();
}

// The goray markers on `decl` ("goray::tasks", ...), each once, in order.
std::vector<std::string> Markers(const clang::Decl& decl) {
  std::vector<std::string> markers;
  if (!decl.hasAttrs()) return markers;
  for (const auto* attribute : decl.specific_attrs<clang::AnnotateAttr>()) {
    llvm::StringRef annotation = attribute->getAnnotation();
    if (!annotation.starts_with("goray::")) continue;
    if (std::find(markers.begin(), markers.end(), annotation) == markers.end()) {
      markers.push_back(annotation.str());
    }
  }
  return markers;
}

// Whether `function` is a member function of a GORAY_ACTORS struct (a factory, when public).
bool IsFactory(const clang::FunctionDecl& function) {
  const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(&function);
  if (method == nullptr) return false;
  const clang::CXXRecordDecl* owner = method->getParent()->getDefinition();
  if (owner == nullptr) return false;
  std::vector<std::string> markers = Markers(*owner);
  return std::find(markers.begin(), markers.end(), kActors.str()) != markers.end();
}

}  // namespace

void Collector::Run(const clang::TranslationUnitDecl& unit) { Walk(unit); }

void Collector::Walk(const clang::DeclContext& context) {
  for (const clang::Decl* decl : context.decls()) Visit(*decl);
}

void Collector::Misplaced(const clang::Decl& decl, const std::string& marker) {
  std::string macro = MacroOf(marker);
  std::string where;
  if (marker == kTasks || marker == kActors) {
    where = "a non-template struct";
  } else if (marker == kActor) {
    where = "a non-template class";
  } else if (marker == kDriver) {
    where = "a non-template function";
  } else if (marker == kInitOptions) {
    where = "its own variable (write GORAY_INIT_OPTIONS(R\"({...})\") at namespace scope)";
  } else if (IsClassConcurrencyMarker(marker)) {
    where = "the class of an actor type";
  } else if (IsInGroupMarker(marker)) {
    where = "a public method of an actor type's class";
  } else if (IsActorOptionsMarker(marker)) {
    where = "the class of an actor type or a factory of a GORAY_ACTORS struct";
  } else if (marker == kKeepGil) {
    where = "a task (a public member function of a GORAY_TASKS struct) or a method of an actor type";
  } else {
    tu_.reporter.Error(decl.getLocation(), "unknown goray marker '" + marker +
                                               "'; use the macros of <goray/goray.h>");
    return;
  }
  tu_.reporter.Error(decl.getLocation(), macro + " applies to " + where + "; remove it here");
}

void Collector::Visit(const clang::Decl& decl) {
  if (!tu_.locator.InScannedFile(decl.getLocation())) return;
  if (llvm::isa<clang::NamespaceDecl, clang::LinkageSpecDecl, clang::ExportDecl>(decl)) {
    Walk(*llvm::cast<clang::DeclContext>(&decl));
    return;
  }
  if (const auto* templ = llvm::dyn_cast<clang::TemplateDecl>(&decl)) {
    if (const clang::NamedDecl* templated = templ->getTemplatedDecl()) {
      for (const std::string& marker : Markers(*templated)) {
        tu_.reporter.Error(decl.getLocation(),
                           "'" + templ->getNameAsString() + "' is a template; " +
                               MacroOf(marker) +
                               " applies to a non-template declaration, since goray must "
                               "know every type: declare a non-template " +
                               (llvm::isa<clang::FunctionTemplateDecl>(templ) ? "function"
                                                                               : "class"));
      }
    }
    return;
  }
  std::vector<std::string> markers = Markers(decl);
  if (const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(&decl)) {
    for (const std::string& marker : markers) {
      tu_.reporter.Error(decl.getLocation(),
                         "'" + spec->getNameAsString() + "' is a class template specialization; " +
                             MacroOf(marker) + " applies to a non-template class");
    }
    return;
  }
  if (const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(&decl)) {
    // A forward declaration inherits its definition's markers: read the definition only.
    if (!record->isThisDeclarationADefinition()) return;
    bool concurrency_marked = false;
    for (const std::string& marker : markers) {
      if ((IsClassConcurrencyMarker(marker) || IsActorOptionsMarker(marker)) &&
          !record->isUnion()) {
        concurrency_marked = true;  // a marker of an actor's class, read by AddActor
      } else if (marker == kTasks && !record->isUnion()) {
        Tasks(*record);
      } else if (marker == kActors && !record->isUnion()) {
        Actors(*record);
      } else if (marker == kActor && !record->isUnion()) {
        ActorClass(*record);
      } else {
        Misplaced(decl, marker);
      }
    }
    if (concurrency_marked) ConcurrencyClass(*record);
    Walk(*record);  // nested classes may carry markers of their own
    return;
  }
  if (const auto* function = llvm::dyn_cast<clang::FunctionDecl>(&decl)) {
    for (const std::string& marker : markers) {
      if (marker == kDriver) {
        Driver(*function);
      } else if (IsInGroupMarker(marker)) {
        InGroup(*function, marker);
      } else if (marker == kKeepGil) {
        KeepGil(*function, marker);
      } else if (IsActorOptionsMarker(marker) && IsFactory(*function)) {
        continue;  // read with its actor type (Actors); a private one is warned of there
      } else {
        Misplaced(decl, marker);
      }
    }
    return;
  }
  if (const auto* variable = llvm::dyn_cast<clang::VarDecl>(&decl)) {
    for (const std::string& marker : markers) {
      if (marker == kInitOptions) {
        InitOptions(*variable);
      } else {
        Misplaced(decl, marker);
      }
    }
    return;
  }
  for (const std::string& marker : markers) Misplaced(decl, marker);
}

bool Collector::CheckNameable(const clang::NamedDecl& decl, const std::string& what) {
  std::optional<std::string> why = UnnameableReason(decl);
  if (!why) return true;
  tu_.reporter.Error(decl.getLocation(), what + " cannot be named by generated code (" + *why +
                                             "); declare it in a named namespace");
  return false;
}

bool Collector::CheckName(const std::string& name, NameUse use, const std::string& what,
                          clang::SourceLocation location) {
  std::optional<std::string> why = ReservedNameReason(name, use);
  if (!why) return true;
  tu_.reporter.Error(location, what + " " + *why + "; rename it");
  return false;
}

}  // namespace goray::scan
