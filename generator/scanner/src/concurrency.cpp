// The concurrency markers: GORAY_THREADSAFE, GORAY_CONCURRENCY_GROUP, GORAY_IN_GROUP.
#include "concurrency.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/Basic/SourceManager.h>

#include "goray/scan/scan.h"

namespace goray::scan {
namespace {

// Where a marker is written: the macro's use, not its definition in annotations.h.
clang::SourceLocation MarkerLocation(const clang::Attr& attribute,
                                     const clang::SourceManager& sources) {
  clang::SourceLocation location = attribute.getLocation();
  return location.isValid() ? sources.getExpansionLoc(location) : location;
}

// A positive int written as decimal digits ("2"), else nullopt ("0", "-1", "kSize", "2u").
std::optional<int> PositiveLiteral(llvm::StringRef text) {
  if (text.empty() || text.size() > 10 || text[0] == '0' ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  long long value = std::stoll(text.str());
  if (value > INT_MAX) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace

bool IsClassConcurrencyMarker(llvm::StringRef annotation) {
  return annotation == kThreadSafe || annotation.starts_with(kConcurrencyGroupPrefix);
}

bool IsInGroupMarker(llvm::StringRef annotation) { return annotation.starts_with(kInGroupPrefix); }

bool ClassConcurrency::Declares(const std::string& group) const {
  return std::any_of(groups.begin(), groups.end(),
                     [&](const idl::ConcurrencyGroup& declared) { return declared.name == group; });
}

ClassConcurrency ReadClassConcurrency(const clang::CXXRecordDecl& record, const std::string& label,
                                      TuContext& tu) {
  ClassConcurrency concurrency;
  concurrency.label = label;
  if (!record.hasAttrs()) return concurrency;
  clang::SourceLocation first_group;
  // (name, size) already read -> whether inherited from a redeclaration
  std::map<std::tuple<std::string, std::string>, bool> seen;
  for (const auto* attribute : record.specific_attrs<clang::AnnotateAttr>()) {
    llvm::StringRef annotation = attribute->getAnnotation();
    if (annotation == kThreadSafe) {
      concurrency.thread_safe = true;
      continue;
    }
    if (!annotation.starts_with(kConcurrencyGroupPrefix)) continue;
    clang::SourceLocation location = MarkerLocation(*attribute, tu.sources);
    llvm::StringRef rest = annotation.drop_front(kConcurrencyGroupPrefix.size());
    auto [name_ref, size_text] = rest.rsplit(':');
    std::string name = name_ref.str();
    // A redeclaration's copy of a marker the class already has (the same name and size)
    // is the same declaration, not a second one.
    auto [earlier, first] =
        seen.emplace(std::tuple(name, size_text.str()), attribute->isInherited());
    if (!first && (earlier->second || attribute->isInherited())) continue;
    if (first_group.isInvalid()) first_group = location;
    std::string written = "GORAY_CONCURRENCY_GROUP(\"" + name + "\", " + size_text.str() + ")";
    if (name.empty()) {
      tu.reporter.Error(location, written + " of " + label +
                                      " has an empty name; name the group, like "
                                      "GORAY_CONCURRENCY_GROUP(\"io\", 2)");
      concurrency.ok = false;
      continue;
    }
    std::optional<int> size = PositiveLiteral(size_text);
    if (!size) {
      tu.reporter.Error(location, written + " of " + label + ": the size '" + size_text.str() +
                                      "' is not a positive integer literal; write the group's "
                                      "number of threads, like GORAY_CONCURRENCY_GROUP(\"" +
                                      name + "\", 2)");
      concurrency.ok = false;
      continue;
    }
    if (concurrency.Declares(name)) {
      tu.reporter.Error(location, label + " declares concurrency group '" + name +
                                      "' twice; declare each group once");
      concurrency.ok = false;
      continue;
    }
    concurrency.groups.push_back({name, *size});
  }
  if (!concurrency.groups.empty() && !concurrency.thread_safe) {
    tu.reporter.Error(first_group,
                      label + " declares concurrency groups but is not GORAY_THREADSAFE: a "
                              "group's methods run on its own threads, at once with the "
                              "actor's other methods; mark the class GORAY_THREADSAFE if its "
                              "methods may run concurrently, or remove GORAY_CONCURRENCY_GROUP");
    concurrency.ok = false;
  }
  return concurrency;
}

std::vector<InGroupMarker> InGroupMarkers(const clang::FunctionDecl& function,
                                          const clang::SourceManager& sources) {
  std::vector<InGroupMarker> markers;
  for (const clang::FunctionDecl* redeclaration : function.redecls()) {
    if (!redeclaration->hasAttrs()) continue;
    for (const auto* attribute : redeclaration->specific_attrs<clang::AnnotateAttr>()) {
      llvm::StringRef annotation = attribute->getAnnotation();
      if (!IsInGroupMarker(annotation)) continue;
      std::string group = annotation.drop_front(kInGroupPrefix.size()).str();
      bool known = std::any_of(markers.begin(), markers.end(),
                               [&](const InGroupMarker& marker) { return marker.group == group; });
      if (!known) markers.push_back({group, MarkerLocation(*attribute, sources)});
    }
  }
  return markers;
}

void CheckConcurrencyMarkers(const Model& model, std::vector<Diagnostic>& diagnostics,
                             std::string& rendered) {
  std::set<std::string> actor_classes;
  for (const auto& [name, actor] : model.actors) {
    actor_classes.insert(actor.class_name);
  }
  struct Late {
    Position position;
    std::string severity;
    std::string message;
  };
  std::vector<Late> late;
  for (const auto& [class_name, marked] : model.concurrency_classes) {
    if (actor_classes.count(class_name) != 0) continue;
    late.push_back({marked.position, "warning",
                    marked.what + ", but no actor type builds it, so that does nothing; "
                                  "mark the class GORAY_ACTOR or return it from a GORAY_ACTORS "
                                  "factory, or remove the marker"});
  }
  for (const auto& [method, marked] : model.grouped_methods) {
    if (model.exported_grouped_methods.count(method) != 0) continue;
    late.push_back({marked.position, "error",
                    "GORAY_IN_GROUP on " + marked.what +
                        ", which no actor type has as a method (only the public non-static "
                        "member functions of an actor's class and of its public bases are, "
                        "unless a derived class hides them); put it on a method of a "
                        "GORAY_THREADSAFE actor class, or remove it"});
  }
  std::stable_sort(late.begin(), late.end(),
                   [](const Late& a, const Late& b) { return a.position < b.position; });
  for (const Late& diagnostic : late) {
    diagnostics.push_back({diagnostic.position.file, diagnostic.position.line,
                           diagnostic.position.column, diagnostic.severity, diagnostic.message});
    rendered += diagnostic.position.Describe() + ": " + diagnostic.severity + ": " +
                diagnostic.message + "\n";
  }
}

}  // namespace goray::scan
