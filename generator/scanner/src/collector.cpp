// The scanner rules over one translation unit.
#include "collector.h"

#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>

#include "concurrency.h"
#include "default_values.h"
#include "doc_comments.h"
#include "naming.h"

namespace goray::scan {
namespace {

using nlohmann::json;

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

std::string Display(const std::string& qualified) {
  return qualified.rfind("::", 0) == 0 ? qualified.substr(2) : qualified;
}

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

const clang::CXXMethodDecl* AsMethod(const clang::Decl* decl) {
  if (const auto* templ = llvm::dyn_cast<clang::FunctionTemplateDecl>(decl)) {
    return llvm::dyn_cast<clang::CXXMethodDecl>(templ->getTemplatedDecl());
  }
  return llvm::dyn_cast<clang::CXXMethodDecl>(decl);
}

bool IsStdStringVector(clang::QualType type, const clang::PrintingPolicy& canonical_policy) {
  std::string canonical =
      type.getCanonicalType().getUnqualifiedType().getAsString(canonical_policy);
  return canonical == "std::vector<std::basic_string<char>>";
}

// "class 'jobs::Fetcher'": a class in the messages of the concurrency markers.
std::string ClassLabel(const clang::CXXRecordDecl& record, const clang::ASTContext& ast) {
  return "class '" + Display(QualifiedTypeName(record, ast)) + "'";
}

// "a task", "an actor type".
std::string Article(const std::string& noun) {
  return (std::string("aeiou").find(noun[0]) == std::string::npos ? "a " : "an ") + noun;
}

}  // namespace

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
    if (!record->isThisDeclarationADefinition()) return;
    bool concurrency_marked = false;
    for (const std::string& marker : markers) {
      if (IsClassConcurrencyMarker(marker) && !record->isUnion()) {
        concurrency_marked = true;
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
    Walk(*record);
    return;
  }
  if (const auto* function = llvm::dyn_cast<clang::FunctionDecl>(&decl)) {
    for (const std::string& marker : markers) {
      if (marker == kDriver) {
        Driver(*function);
      } else if (IsInGroupMarker(marker)) {
        InGroup(*function, marker);
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

bool Collector::CheckName(const std::string& name, NameUse use, const std::string& what,
                          clang::SourceLocation location) {
  std::optional<std::string> why = ReservedNameReason(name, use);
  if (!why) return true;
  tu_.reporter.Error(location, what + " " + *why + "; rename it");
  return false;
}

std::optional<json> Collector::Signature(const clang::FunctionDecl& function,
                                         const std::string& owner, bool with_result) {
  bool ok = true;
  if (function.isVariadic()) {
    tu_.reporter.Error(function.getLocation(),
                       owner + " is variadic ('...'); declare each parameter");
    ok = false;
  }
  if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(&function);
      method != nullptr && method->getRefQualifier() == clang::RQ_RValue) {
    tu_.reporter.Error(function.getLocation(),
                       owner + " is &&-qualified; goray calls it on an lvalue: remove the "
                               "&& qualifier");
    ok = false;
  }
  json params = json::array();
  for (unsigned i = 0; i < function.getNumParams(); ++i) {
    std::optional<json> parameter = types_.Parameter(*function.getParamDecl(i), i, owner);
    if (parameter) {
      // Generated code calls with fewer arguments, so C++ evaluates a default where the
      // user wrote it; a constant one is also recorded, for Python to fill a skipped
      // parameter with when a later one is given by keyword.
      const clang::ParmVarDecl& declared = *function.getParamDecl(i);
      if (declared.hasDefaultArg()) {
        (*parameter)["has_default"] = true;
        std::optional<json> value =
            ConstantDefault(declared, (*parameter)["type"].value("kind", ""), tu_.ast);
        if (value) (*parameter)["default"] = std::move(*value);
      }
      params.push_back(std::move(*parameter));
    } else {
      ok = false;
    }
  }
  json signature = {{"params", std::move(params)}};
  if (with_result) {
    std::optional<json> result = types_.Result(function, owner);
    if (result) {
      if ((*result)["kind"] == "generator" && !BorrowFreeGenerator(function, owner, signature)) {
        ok = false;
      }
      signature["result"] = std::move(*result);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return signature;
}

bool Collector::BorrowFreeGenerator(const clang::FunctionDecl& function, const std::string& owner,
                                    const json& signature) {
  bool ok = true;
  const json& params = signature["params"];
  for (unsigned i = 0; i < params.size() && i < function.getNumParams(); ++i) {
    const json& type = params[i]["type"];
    if (type["kind"] != "ndarray" || type["form"] == "array") continue;
    tu_.reporter.Error(function.getParamDecl(i)->getLocation(),
                       "parameter '" + params[i]["name"].get<std::string>() + "' of " + owner +
                           " borrows the caller's memory ('" +
                           type["spelling"].get<std::string>() + "'), but " + owner +
                           " is a generator, whose body runs after the call has returned; "
                           "take goray::Array<" + type["element"].get<std::string>() + ">");
    ok = false;
  }
  return ok;
}

void Collector::AddUnique(std::map<std::string, ModelEntry>& entries, const std::string& key,
                          ModelEntry entry, const std::string& kind,
                          clang::SourceLocation location) {
  auto found = entries.find(key);
  if (found == entries.end()) {
    entries.emplace(key, std::move(entry));
    return;
  }
  if (found->second.position == entry.position) return;  // seen from another source file
  tu_.reporter.Error(location, kind + " '" + key + "' is declared twice (the other is at " +
                                   found->second.position.Describe() +
                                   "); names must be unique: rename one");
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

void Collector::Tasks(const clang::CXXRecordDecl& record) {
  std::string owner = QualifiedTypeName(record, tu_.ast);
  if (!CheckNameable(record, "GORAY_TASKS struct '" + record.getNameAsString() + "'")) return;
  std::map<std::string, Declarer> declared_by;
  TaskFunctions(record, owner, Subobject{owner, Display(owner)}, {}, declared_by);
}

Collector::Subobject Collector::BaseSubobject(const Subobject& derived,
                                              const clang::CXXBaseSpecifier& base,
                                              const clang::CXXRecordDecl& base_record) const {
  std::string name = QualifiedTypeName(base_record, tu_.ast);
  std::string key = base.isVirtual() ? "virtual " + name : derived.key + " -> " + name;
  return Subobject{std::move(key), derived.path + " -> " + Display(name)};
}

void Collector::TaskFunctions(const clang::CXXRecordDecl& record, const std::string& owner,
                              const Subobject& subobject, const std::set<std::string>& hidden,
                              std::map<std::string, Declarer>& declared_by) {
  std::string class_name = QualifiedTypeName(record, tu_.ast);
  std::string role = class_name == owner ? "GORAY_TASKS struct '" + Display(owner) + "'"
                                         : "'" + Display(class_name) +
                                               "' (a base of GORAY_TASKS struct '" +
                                               Display(owner) + "')";
  WarnSkipped(record, role, "task", hidden, /*non_public=*/true, /*is_static=*/false);
  std::set<std::string> hidden_below = hidden;  // names this class hides in its bases
  for (const auto& [name, decls] : MemberFunctions(record)) hidden_below.insert(name);
  for (const clang::CXXMethodDecl* method : PublicFunctions(record, "task", hidden)) {
    std::string name = method->getName().str();
    std::string what = "task '" + name + "'";
    if (FoundBefore(declared_by, *method, class_name, subobject, what,
                    "the GORAY_TASKS struct") != Found::kNew) {
      continue;
    }
    declared_by.emplace(name, Declarer{class_name, subobject});
    if (!CheckName(name, NameUse::kTask, what, method->getLocation())) continue;
    std::optional<json> signature = Signature(*method, what);
    if (!signature) continue;
    Position position = tu_.locator.Describe(method->getLocation());
    json task = {{"name", name},
                 {"owner", owner},
                 {"static", method->isStatic()},
                 {"params", (*signature)["params"]},
                 {"result", (*signature)["result"]},
                 {"doc", DocComment(*method, tu_.ast)},
                 {"location", position.ToJson()}};
    if (class_name != owner) task["declaring_class"] = class_name;  // inherited
    AddUnique(tu_.model.tasks, name, ModelEntry{std::move(task), position}, "task",
              method->getLocation());
  }
  for (const clang::CXXBaseSpecifier& base : record.bases()) {
    const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl();
    if (base_record == nullptr || base_record->getDefinition() == nullptr) continue;
    if (base.getAccessSpecifier() != clang::AS_public) {
      WarnNonPublicBase(base, role, "task");
      continue;
    }
    const clang::CXXRecordDecl& definition = *base_record->getDefinition();
    TaskFunctions(definition, owner, BaseSubobject(subobject, base, definition), hidden_below,
                  declared_by);
  }
}

void Collector::Actors(const clang::CXXRecordDecl& record) {
  std::string owner = QualifiedTypeName(record, tu_.ast);
  if (!CheckNameable(record, "GORAY_ACTORS struct '" + record.getNameAsString() + "'")) return;
  std::string role = "GORAY_ACTORS struct '" + Display(owner) + "'";
  WarnSkipped(record, role, "actor type", {}, /*non_public=*/true, /*is_static=*/false);
  for (const clang::CXXBaseSpecifier& base : record.bases()) {
    const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl();
    if (base_record == nullptr || base_record->getDefinition() == nullptr) continue;
    bool has_functions = !MemberFunctions(*base_record->getDefinition()).empty();
    if (has_functions && tu_.locator.InScannedFile(base.getBeginLoc())) {
      tu_.reporter.Warning(base.getBeginLoc(),
                           "the member functions of '" + base_record->getNameAsString() +
                               "', a base of " + role +
                               ", are not actor types (factories are the struct's own public "
                               "member functions); declare them in '" +
                               record.getNameAsString() + "'");
    }
  }
  for (const clang::CXXMethodDecl* method : PublicFunctions(record, "actor type")) {
    std::string name = method->getName().str();
    std::string what = "actor type '" + name + "'";
    if (!CheckName(name, NameUse::kActorType, what, method->getLocation())) continue;
    clang::QualType result = method->getReturnType();
    std::string returns;
    const clang::CXXRecordDecl* actor_class = nullptr;
    if (result->isPointerType()) {
      actor_class = result->getPointeeType()->getAsCXXRecordDecl();
      returns = "raw_pointer";
    } else if (!result->isReferenceType()) {
      const clang::CXXRecordDecl* returned = result->getAsCXXRecordDecl();
      const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(returned);
      if (spec != nullptr && spec->getName() == "unique_ptr" && IsInNamespace(*spec, "std")) {
        const clang::TemplateArgument& deleter = spec->getTemplateArgs()[1];
        const clang::CXXRecordDecl* deleter_record =
            deleter.getKind() == clang::TemplateArgument::Type
                ? deleter.getAsType()->getAsCXXRecordDecl()
                : nullptr;
        if (deleter_record != nullptr && deleter_record->getName() == "default_delete") {
          actor_class = spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
          returns = "unique_ptr";
        }
      } else if (returned != nullptr && !IsInNamespace(*returned, "std")) {
        actor_class = returned;
        returns = "value";
      }
    }
    if (actor_class == nullptr || actor_class->isUnion() || IsInNamespace(*actor_class, "std") ||
        IsInNamespace(*actor_class, "goray")) {
      clang::SourceLocation location = method->getReturnTypeSourceRange().getBegin();
      tu_.reporter.Error(location.isValid() ? location : method->getLocation(),
                         "the factory of " + what + " returns '" +
                             result.getAsString(tu_.message_policy) +
                             "'; an actor factory returns T, std::unique_ptr<T> or T* for "
                             "the actor's class T");
      continue;
    }
    std::optional<json> signature = Signature(*method, what, /*with_result=*/false);
    if (!signature) continue;
    json construction = {{"kind", "factory"},
                         {"owner", owner},
                         {"function", name},
                         {"static", method->isStatic()},
                         {"returns", returns}};
    AddActor(name, *actor_class, std::move(construction), (*signature)["params"],
             DocComment(*method, tu_.ast), *method);
  }
}

void Collector::ActorClass(const clang::CXXRecordDecl& record) {
  std::string name = record.getNameAsString();
  std::string what = "GORAY_ACTOR class '" + name + "'";
  if (!CheckName(name, NameUse::kActorType, "actor type '" + name + "'", record.getLocation())) {
    return;
  }
  std::vector<const clang::CXXConstructorDecl*> public_constructors;
  bool declares_constructor = false;
  bool ok = true;
  for (const clang::Decl* decl : record.decls()) {
    if (const auto* templ = llvm::dyn_cast<clang::FunctionTemplateDecl>(decl)) {
      if (llvm::isa<clang::CXXConstructorDecl>(templ->getTemplatedDecl()) &&
          decl->getAccess() == clang::AS_public) {
        tu_.reporter.Error(decl->getLocation(),
                           what + " has a constructor template; goray must know the "
                                  "constructor's types: declare a non-template constructor");
        ok = false;
      }
      continue;
    }
    const auto* constructor = llvm::dyn_cast<clang::CXXConstructorDecl>(decl);
    if (constructor == nullptr || constructor->isImplicit() ||
        constructor->isCopyOrMoveConstructor()) {
      continue;
    }
    declares_constructor = true;
    if (constructor->isDeleted() || constructor->getAccess() != clang::AS_public) continue;
    public_constructors.push_back(constructor);
  }
  if (!ok) return;
  if (public_constructors.size() > 1) {
    tu_.reporter.Error(record.getLocation(),
                       what + " has " + std::to_string(public_constructors.size()) +
                           " public constructors; goray builds it by its one public "
                           "constructor (copy and move constructors aside): keep one, or "
                           "build it with factories of a GORAY_ACTORS struct");
    for (const clang::CXXConstructorDecl* constructor : public_constructors) {
      tu_.reporter.Note(constructor->getLocation(), "a public constructor");
    }
    return;
  }
  json params = json::array();
  if (public_constructors.size() == 1) {
    std::optional<json> signature =
        Signature(*public_constructors[0], "the constructor of actor type '" + name + "'",
                  /*with_result=*/false);
    if (!signature) return;
    params = (*signature)["params"];
  } else if (declares_constructor || !record.hasDefaultConstructor()) {
    tu_.reporter.Error(record.getLocation(),
                       what + " has no public constructor goray can call; declare one public "
                              "constructor");
    return;
  }
  AddActor(name, record, json{{"kind", "constructor"}}, std::move(params), "", record);
}

void Collector::AddActor(const std::string& name, const clang::CXXRecordDecl& declared_class,
                         json construction, json params, std::string doc,
                         const clang::Decl& declaration) {
  const clang::CXXRecordDecl* actor_class = declared_class.getDefinition();
  std::string class_label = "the class '" + declared_class.getNameAsString() +
                            "' of actor type '" + name + "'";
  if (actor_class == nullptr) {
    tu_.reporter.Error(declaration.getLocation(),
                       class_label + " is only declared; include its definition");
    return;
  }
  if (llvm::isa<clang::ClassTemplateSpecializationDecl>(actor_class)) {
    tu_.reporter.Error(declaration.getLocation(),
                       class_label +
                           " is a class template specialization; goray actors cannot be "
                           "templates: declare a non-template class");
    return;
  }
  if (!CheckNameable(*actor_class, class_label)) return;
  if (actor_class->isAbstract()) {
    tu_.reporter.Error(declaration.getLocation(),
                       class_label + " is abstract; goray must build it: use a concrete class");
    return;
  }
  ClassConcurrency concurrency =
      ReadClassConcurrency(*actor_class, ClassLabel(*actor_class, tu_.ast), tu_);
  if (!concurrency.ok) return;
  std::string class_name = QualifiedTypeName(*actor_class, tu_.ast);
  json methods = json::array();
  std::map<std::string, Declarer> declared_by;
  Subobject whole{class_name, Display(class_name)};
  if (!ActorMethods(*actor_class, name, whole, {}, methods, declared_by, concurrency)) return;
  json groups = json::array();
  for (const ConcurrencyGroup& group : concurrency.groups) {
    groups.push_back({{"name", group.name}, {"size", group.size}});
  }
  if (doc.empty()) doc = DocComment(*actor_class, tu_.ast);
  Position position = tu_.locator.Describe(declaration.getLocation());
  json actor = {{"name", name},
                {"class", class_name},
                {"construction", std::move(construction)},
                {"params", std::move(params)},
                {"methods", std::move(methods)},
                {"thread_safe", concurrency.thread_safe},
                {"concurrency_groups", std::move(groups)},
                {"doc", doc},
                {"location", position.ToJson()}};
  AddUnique(tu_.model.actors, name, ModelEntry{std::move(actor), position}, "actor type",
            declaration.getLocation());
}

bool Collector::ActorMethods(const clang::CXXRecordDecl& record, const std::string& actor,
                             const Subobject& subobject, const std::set<std::string>& hidden,
                             json& methods, std::map<std::string, Declarer>& declared_by,
                             const ClassConcurrency& concurrency, bool is_base) {
  bool ok = true;
  std::string class_name = QualifiedTypeName(record, tu_.ast);
  std::string role = !is_base
                         ? "the class '" + Display(class_name) + "' of actor type '" + actor + "'"
                         : "'" + Display(class_name) + "' (a base of the class of actor type '" +
                               actor + "')";
  WarnSkipped(record, role, "method", hidden, /*non_public=*/false, /*is_static=*/true);
  std::set<std::string> hidden_below = hidden;  // names this class hides in its bases
  for (const auto& [name, decls] : MemberFunctions(record)) {
    if (hidden.count(name) != 0) continue;
    hidden_below.insert(name);
    std::string what = "method '" + name + "' of actor type '" + actor + "'";
    bool any_public_instance =
        std::any_of(decls.begin(), decls.end(), [](const clang::Decl* decl) {
          return decl->getAccess() == clang::AS_public && !AsMethod(decl)->isStatic();
        });
    if (!any_public_instance) continue;
    if (decls.size() > 1) {
      tu_.reporter.Error(decls[1]->getLocation(),
                         what + " is overloaded (" + std::to_string(decls.size()) +
                             " declarations, const ones included); goray names a method by "
                             "its function's name: give each overload its own name");
      tu_.reporter.Note(decls[0]->getLocation(), "another declaration of '" + name + "'");
      ok = false;
      continue;
    }
    if (llvm::isa<clang::FunctionTemplateDecl>(decls[0])) {
      tu_.reporter.Error(decls[0]->getLocation(),
                         what + " is a function template; goray must know its types: declare "
                                "a non-template function (one per type)");
      ok = false;
      continue;
    }
    const auto* method = llvm::cast<clang::CXXMethodDecl>(decls[0]);
    if (method->isDeleted()) continue;
    Found found =
        FoundBefore(declared_by, *method, class_name, subobject, what, "the actor's class");
    if (found == Found::kAmbiguous) ok = false;
    if (found != Found::kNew) continue;
    if (!CheckName(name, NameUse::kMethod, what, method->getLocation())) {
      ok = false;
      continue;
    }
    std::optional<json> signature = Signature(*method, what);
    if (!signature) {
      ok = false;
      continue;
    }
    std::optional<std::string> group;
    if (!MethodGroup(*method, what, concurrency, group)) {
      ok = false;
      continue;
    }
    declared_by.emplace(name, Declarer{class_name, subobject});
    json entry = {{"name", name},
                  {"declaring_class", class_name},
                  {"const", method->isConst()},
                  {"params", (*signature)["params"]},
                  {"result", (*signature)["result"]},
                  {"doc", DocComment(*method, tu_.ast)}};
    if (group) {
      entry["concurrency_group"] = *group;
      tu_.model.exported_grouped_methods.insert(class_name + "::" + name);
    }
    if (std::optional<Position> position = tu_.locator.PositionOf(method->getLocation())) {
      entry["location"] = position->ToJson();
    }
    methods.push_back(std::move(entry));
  }
  for (const clang::CXXBaseSpecifier& base : record.bases()) {
    if (base.getAccessSpecifier() != clang::AS_public) continue;
    const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl();
    if (base_record == nullptr || base_record->getDefinition() == nullptr) continue;
    const clang::CXXRecordDecl& definition = *base_record->getDefinition();
    ok = ActorMethods(definition, actor, BaseSubobject(subobject, base, definition),
                      hidden_below, methods, declared_by, concurrency, /*is_base=*/true) &&
         ok;
  }
  return ok;
}

void Collector::ConcurrencyClass(const clang::CXXRecordDecl& record) {
  std::string label = ClassLabel(record, tu_.ast);
  ClassConcurrency concurrency = ReadClassConcurrency(record, label, tu_);
  std::string markers = concurrency.thread_safe ? "GORAY_THREADSAFE" : "";
  if (!concurrency.groups.empty() || !concurrency.ok) {
    markers += std::string(markers.empty() ? "" : " and ") + "GORAY_CONCURRENCY_GROUP";
  }
  tu_.model.concurrency_classes.emplace(
      QualifiedTypeName(record, tu_.ast),
      MarkedDeclaration{tu_.locator.Describe(record.getLocation()),
                        label + " is marked " + markers});
}

void Collector::InGroup(const clang::FunctionDecl& function, const std::string& marker) {
  const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(&function);
  if (method == nullptr) {
    Misplaced(function, marker);
    return;
  }
  // Once per method: its out-of-line definition inherits the marker.
  if (!handled_.insert(method->getCanonicalDecl()).second) return;
  std::string key =
      QualifiedTypeName(*method->getParent(), tu_.ast) + "::" + method->getNameAsString();
  std::string shown = "'" + Display(key) + "'";
  if (method->isStatic()) {
    tu_.reporter.Error(method->getLocation(),
                       "GORAY_IN_GROUP on static member function " + shown +
                           ", which is not a method (goray calls methods on an actor "
                           "instance); make it non-static, or remove GORAY_IN_GROUP");
    return;
  }
  if (method->getAccess() != clang::AS_public) {
    tu_.reporter.Error(method->getLocation(),
                       std::string("GORAY_IN_GROUP on ") +
                           (method->getAccess() == clang::AS_protected ? "protected" : "private") +
                           " member function " + shown +
                           ", which is not a method (only public member functions are); make it "
                           "public, or remove GORAY_IN_GROUP");
    return;
  }
  tu_.model.grouped_methods.emplace(
      key, MarkedDeclaration{tu_.locator.Describe(method->getLocation()), shown});
}

bool Collector::MethodGroup(const clang::CXXMethodDecl& method, const std::string& what,
                            const ClassConcurrency& concurrency,
                            std::optional<std::string>& group) {
  std::vector<InGroupMarker> markers = InGroupMarkers(method, tu_.sources);
  if (markers.empty()) return true;
  if (markers.size() > 1) {
    tu_.reporter.Error(markers[1].location,
                       what + " is in concurrency groups '" + markers[0].group + "' and '" +
                           markers[1].group +
                           "'; a method runs in one group: keep one GORAY_IN_GROUP");
    return false;
  }
  const std::string& name = markers[0].group;
  if (!concurrency.Declares(name)) {
    tu_.reporter.Error(markers[0].location,
                       what + " is in concurrency group '" + name + "', which its " +
                           concurrency.label +
                           " does not declare; declare it on that class with "
                           "GORAY_CONCURRENCY_GROUP(\"" + name +
                           "\", <threads>) (the class must be GORAY_THREADSAFE)");
    return false;
  }
  group = name;
  return true;
}

void Collector::Driver(const clang::FunctionDecl& declared) {
  if (!handled_.insert(declared.getCanonicalDecl()).second) return;
  const clang::FunctionDecl* function = declared.getDefinition();
  if (function == nullptr) function = &declared;
  std::string name = QualifiedFunctionName(*function);
  std::string short_name = function->getNameAsString();
  if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(function);
      method != nullptr && !method->isStatic()) {
    tu_.reporter.Error(function->getLocation(),
                       "GORAY_DRIVER '" + Display(name) +
                           "' is a non-static member function; make it a free function");
    return;
  }
  bool returns_int = function->getReturnType().getCanonicalType()->isSpecificBuiltinType(
      clang::BuiltinType::Int);
  bool takes_args = false;
  bool parameters_ok = !function->isVariadic();
  if (function->getNumParams() == 1) {
    clang::QualType parameter = function->getParamDecl(0)->getType();
    parameters_ok = parameters_ok && parameter->isLValueReferenceType() &&
                    parameter->getPointeeType().isConstQualified() &&
                    IsStdStringVector(parameter->getPointeeType(), tu_.canonical_policy);
    takes_args = true;
  } else if (function->getNumParams() > 1) {
    parameters_ok = false;
  }
  if (!returns_int || !parameters_ok) {
    tu_.reporter.Error(function->getLocation(),
                       "GORAY_DRIVER function '" + Display(name) +
                           "' has the wrong signature; declare it 'int " + short_name +
                           "()' or 'int " + short_name +
                           "(const std::vector<std::string>& args)'");
    return;
  }
  Position position = tu_.locator.Describe(function->getLocation());
  bool definition = function->isThisDeclarationADefinition();
  std::string doc;
  for (const clang::FunctionDecl* redeclaration : function->redecls()) {
    doc = DocComment(*redeclaration, tu_.ast);
    if (!doc.empty()) break;
  }
  json value = {{"name", name},
                {"takes_args", takes_args},
                {"doc", doc},
                {"location", position.ToJson()}};
  std::optional<ModelEntry>& driver = tu_.model.driver;
  if (driver && driver->value["name"] == name && driver->value["takes_args"] == takes_args) {
    if (definition && !driver->definition) driver = ModelEntry{value, position, definition};
    return;
  }
  if (driver) {
    tu_.reporter.Error(function->getLocation(),
                       "a second GORAY_DRIVER, '" + Display(name) + "' (the first is '" +
                           Display(driver->value["name"].get<std::string>()) + "' at " +
                           driver->position.Describe() +
                           "); an application has at most one driver: remove one "
                           "GORAY_DRIVER");
    return;
  }
  driver = ModelEntry{std::move(value), position, definition};
}

void Collector::InitOptions(const clang::VarDecl& variable) {
  if (!handled_.insert(variable.getCanonicalDecl()).second) return;
  const clang::Expr* init = variable.getInit();
  const auto* literal =
      init == nullptr ? nullptr
                      : llvm::dyn_cast<clang::StringLiteral>(init->IgnoreParenImpCasts());
  if (literal == nullptr || !(literal->isOrdinary() || literal->isUTF8())) {
    tu_.reporter.Error(init != nullptr ? init->getBeginLoc() : variable.getLocation(),
                       "GORAY_INIT_OPTIONS takes a string literal holding a JSON object, "
                       "like GORAY_INIT_OPTIONS(R\"({\"num_cpus\": 2})\")");
    return;
  }
  std::string text = literal->getString().str();
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error& error) {
    std::string message = error.what();
    if (std::size_t bracket = message.find("] "); message.rfind("[json", 0) == 0 &&
                                                  bracket != std::string::npos) {
      message = message.substr(bracket + 2);
    }
    tu_.reporter.Error(literal->getBeginLoc(),
                       "GORAY_INIT_OPTIONS is not valid JSON (" + message +
                           "); write a JSON object, like R\"({\"num_cpus\": 2})\"");
    return;
  }
  if (!value.is_object()) {
    tu_.reporter.Error(literal->getBeginLoc(),
                       std::string("GORAY_INIT_OPTIONS is a JSON ") + value.type_name() +
                           ", not an object; write the ray.init options as a JSON object, "
                           "like R\"({\"num_cpus\": 2})\"");
    return;
  }
  Position position = tu_.locator.Describe(variable.getLocation());
  std::optional<ModelEntry>& options = tu_.model.init_options;
  if (options && options->position == position) return;  // seen from another source file
  if (options) {
    tu_.reporter.Error(variable.getLocation(),
                       "a second GORAY_INIT_OPTIONS (the first is at " +
                           options->position.Describe() +
                           "); an application declares its ray.init options once: merge "
                           "them into one");
    return;
  }
  options = ModelEntry{
      json{{"text", text}, {"value", std::move(value)}, {"location", position.ToJson()}},
      position};
}

}  // namespace goray::scan
