// The member functions of a marked class and of its bases (docs/scanner-rules.md): which
// are exported (public, named, one declaration each, not a template), which are skipped
// with a warning, and which are ambiguous because two bases, or two subobjects of one base,
// declare them.
#include <algorithm>

#include <clang/AST/DeclTemplate.h>

#include <variant>

#include "collector.h"
#include "display_name.h"
#include "keep_gil.h"
#include "naming.h"

namespace goray::scan {
namespace {

// The error for a member found in two subobjects of one class (a non-virtual base reached
// through two paths): C++ cannot tell which subobject a call means.
std::string TwiceReachedBase(const std::string& what, const std::string& class_name,
                             const std::string& first_path, const std::string& second_path,
                             const std::string& declare_in) {
  std::string root = first_path.substr(0, first_path.find(" -> "));
  return what + " is ambiguous: '" + Display(class_name) + "' is a base of '" + root +
         "' twice, through '" + first_path + "' and '" + second_path +
         "', not as one virtual base; make it a virtual base or declare " + what + " in " +
         declare_in;
}

// "a task", "an actor type".
std::string Article(const std::string& noun) {
  return (std::string("aeiou").find(noun[0]) == std::string::npos ? "a " : "an ") + noun;
}

}  // namespace

const clang::CXXMethodDecl* Collector::AsMethod(const clang::Decl* decl) {
  if (const auto* templ = llvm::dyn_cast<clang::FunctionTemplateDecl>(decl)) {
    return llvm::dyn_cast<clang::CXXMethodDecl>(templ->getTemplatedDecl());
  }
  return llvm::dyn_cast<clang::CXXMethodDecl>(decl);
}

std::vector<Collector::MemberGroup> Collector::MemberFunctions(
    const clang::CXXRecordDecl& record) {
  std::vector<MemberGroup> groups;
  for (const clang::Decl* decl : record.decls()) {
    const clang::CXXMethodDecl* method = AsMethod(decl);
    if (method == nullptr || decl->isImplicit() || !method->getDeclName().isIdentifier()) {
      continue;
    }
    std::string name = method->getName().str();
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const MemberGroup& g) { return g.first == name; });
    if (group == groups.end()) {
      groups.push_back({name, {decl}});
    } else {
      group->second.push_back(decl);
    }
  }
  return groups;
}

std::vector<const clang::CXXMethodDecl*> Collector::PublicFunctions(
    const clang::CXXRecordDecl& record, const std::string& what,
    const std::set<std::string>& hidden) {
  std::vector<const clang::CXXMethodDecl*> functions;
  for (const auto& [name, decls] : MemberFunctions(record)) {
    if (hidden.count(name) != 0) continue;
    bool any_public = std::any_of(decls.begin(), decls.end(), [](const clang::Decl* decl) {
      return decl->getAccess() == clang::AS_public;
    });
    if (!any_public) continue;
    if (decls.size() > 1) {
      tu_.reporter.Error(decls[1]->getLocation(),
                         what + " '" + name + "' is overloaded (" +
                             std::to_string(decls.size()) +
                             " declarations, const ones included); goray names a " + what +
                             " by its function's name: give each overload its own name");
      tu_.reporter.Note(decls[0]->getLocation(), "another declaration of '" + name + "'");
      continue;
    }
    if (llvm::isa<clang::FunctionTemplateDecl>(decls[0])) {
      tu_.reporter.Error(decls[0]->getLocation(),
                         what + " '" + name +
                             "' is a function template; goray must know its types: declare "
                             "a non-template function (one per type)");
      continue;
    }
    const auto* method = llvm::cast<clang::CXXMethodDecl>(decls[0]);
    if (method->isDeleted()) continue;
    functions.push_back(method);
  }
  return functions;
}

void Collector::WarnSkipped(const clang::CXXRecordDecl& record, const std::string& role,
                            const std::string& what, const std::set<std::string>& hidden,
                            bool non_public, bool is_static) {
  for (const clang::Decl* decl : record.decls()) {
    const clang::CXXMethodDecl* method = AsMethod(decl);
    if (method == nullptr || decl->isImplicit() || method->isDeleted() ||
        llvm::isa<clang::CXXConstructorDecl, clang::CXXDestructorDecl>(method) ||
        !tu_.locator.InScannedFile(decl->getLocation())) {
      continue;
    }
    bool named = method->getDeclName().isIdentifier();
    std::string name = method->getNameAsString();
    if (named && hidden.count(name) != 0) continue;
    clang::AccessSpecifier access = decl->getAccess();
    if (access != clang::AS_public) {
      if (!non_public) continue;
      tu_.reporter.Warning(decl->getLocation(),
                           std::string(access == clang::AS_protected ? "protected" : "private") +
                               " member function '" + name + "' of " + role + " is not " +
                               Article(what) +
                               " (only public member functions are); make it public to "
                               "export it");
    } else if (!named) {
      tu_.reporter.Warning(decl->getLocation(),
                           "'" + name + "' of " + role + " is not " + Article(what) +
                               " (operators and conversions are not exported); call it from "
                               "a named public member function to export it");
    } else if (is_static && method->isStatic()) {
      tu_.reporter.Warning(decl->getLocation(),
                           "static member function '" + name + "' of " + role + " is not " +
                               Article(what) +
                               " (goray calls methods on an actor instance); make it "
                               "non-static, or a task of a GORAY_TASKS struct");
    }
  }
}

void Collector::WarnNonPublicBase(const clang::CXXBaseSpecifier& base, const std::string& role,
                                  const std::string& what) {
  const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl();
  if (base_record == nullptr || base_record->getDefinition() == nullptr) return;
  bool has_functions = false;
  for (const auto& [name, decls] : MemberFunctions(*base_record->getDefinition())) {
    has_functions = has_functions || std::any_of(decls.begin(), decls.end(), [](auto* decl) {
                      return decl->getAccess() == clang::AS_public;
                    });
  }
  if (!has_functions) return;
  tu_.reporter.Warning(base.getBeginLoc(),
                       "'" + base_record->getNameAsString() + "' is a " +
                           (base.getAccessSpecifier() == clang::AS_protected ? "protected"
                                                                              : "private") +
                           " base of " + role + ", so its member functions are not " + what +
                           "s; inherit it publicly to export them");
}

Collector::Found Collector::FoundBefore(const std::map<std::string, Declarer>& declared_by,
                                       const clang::CXXMethodDecl& method,
                                       const std::string& class_name, const Subobject& subobject,
                                       const std::string& what, const std::string& declare_in) {
  auto previous = declared_by.find(method.getName().str());
  if (previous == declared_by.end()) return Found::kNew;
  const Declarer& first = previous->second;
  if (first.class_name != class_name) {
    tu_.reporter.Error(method.getLocation(),
                       what + " is ambiguous: both '" + Display(first.class_name) + "' and '" +
                           Display(class_name) + "' declare it; declare it in " + declare_in);
    return Found::kAmbiguous;
  }
  // One class reached again: the same subobject (a virtual base), or a static member,
  // is found once; a non-static member of a second subobject is ambiguous.
  if (first.subobject.key != subobject.key && !method.isStatic()) {
    tu_.reporter.Error(method.getLocation(),
                       TwiceReachedBase(what, class_name, first.subobject.path, subobject.path,
                                        declare_in));
    return Found::kAmbiguous;
  }
  return Found::kSeen;
}

Collector::Subobject Collector::BaseSubobject(const Subobject& derived,
                                              const clang::CXXBaseSpecifier& base,
                                              const clang::CXXRecordDecl& base_record) const {
  std::string name = QualifiedTypeName(base_record, tu_.ast);
  std::string key = base.isVirtual() ? "virtual " + name : derived.key + " -> " + name;
  return Subobject{std::move(key), derived.path + " -> " + Display(name)};
}

void Collector::KeepGil(const clang::FunctionDecl& function, const std::string& marker) {
  const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(&function);
  if (method == nullptr) {
    Misplaced(function, marker);
    return;
  }
  // Once per member function: its out-of-line definition inherits the marker.
  if (!handled_.insert(method->getCanonicalDecl()).second) return;
  std::string key =
      QualifiedTypeName(*method->getParent(), tu_.ast) + "::" + method->getNameAsString();
  tu_.model.keep_gil_functions.emplace(
      key, MarkedDeclaration{tu_.locator.Describe(method->getLocation()), "'" + Display(key) + "'"});
}

bool Collector::KeepsGil(const clang::CXXMethodDecl& method, const std::string& what,
                         const idl::Type& result, bool& keeps) {
  keeps = HasKeepGil(method);
  if (!keeps) return true;
  if (std::holds_alternative<idl::GeneratorType>(result.kind)) {
    tu_.reporter.Error(method.getLocation(),
                       "GORAY_KEEP_GIL on " + what +
                           ", a generator: its items are made between the calls that take them, "
                           "through the codec path, which keeps no GIL; remove GORAY_KEEP_GIL");
    return false;
  }
  tu_.model.exported_keep_gil.insert(QualifiedTypeName(*method.getParent(), tu_.ast) + "::" +
                                     method.getNameAsString());
  return true;
}

}  // namespace goray::scan
