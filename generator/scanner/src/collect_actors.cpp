// Actor types (docs/scanner-rules.md): a GORAY_ACTORS struct's factories and GORAY_ACTOR
// classes, each with the methods of its class and of the class's public bases, the
// concurrency markers on that class (GORAY_THREADSAFE, GORAY_CONCURRENCY_GROUP) and on its
// methods (GORAY_IN_GROUP), and the Ray options it declares (GORAY_ACTOR_OPTIONS, on the
// class or a factory).
#include <algorithm>

#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>

#include "actor_options.h"
#include "collector.h"
#include "concurrency.h"
#include "display_name.h"
#include "doc_comments.h"
#include "naming.h"

namespace goray::scan {
namespace {

// "class 'jobs::Fetcher'": a class in the messages of the concurrency markers.
std::string ClassLabel(const clang::CXXRecordDecl& record, const clang::ASTContext& ast) {
  return "class '" + Display(QualifiedTypeName(record, ast)) + "'";
}

}  // namespace

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
    idl::FactoryReturns returns = idl::FactoryReturns::kValue;
    const clang::CXXRecordDecl* actor_class = nullptr;
    if (result->isPointerType()) {
      actor_class = result->getPointeeType()->getAsCXXRecordDecl();
      returns = idl::FactoryReturns::kRawPointer;
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
          returns = idl::FactoryReturns::kUniquePtr;
        }
      } else if (returned != nullptr && !IsInNamespace(*returned, "std")) {
        actor_class = returned;
        returns = idl::FactoryReturns::kValue;
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
    std::optional<Signature> signature = SignatureOf(*method, what, /*with_result=*/false);
    if (!signature) continue;
    AddActor(name, *actor_class, idl::Factory{owner, name, method->isStatic(), returns},
             std::move(signature->params), DocComment(*method, tu_.ast), *method);
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
  std::vector<idl::Param> params;
  if (public_constructors.size() == 1) {
    std::optional<Signature> signature =
        SignatureOf(*public_constructors[0], "the constructor of actor type '" + name + "'",
                    /*with_result=*/false);
    if (!signature) return;
    params = std::move(signature->params);
  } else if (declares_constructor || !record.hasDefaultConstructor()) {
    tu_.reporter.Error(record.getLocation(),
                       what + " has no public constructor goray can call; declare one public "
                              "constructor");
    return;
  }
  AddActor(name, record, idl::Constructor{}, std::move(params), "", record);
}

void Collector::AddActor(const std::string& name, const clang::CXXRecordDecl& declared_class,
                         idl::Construction construction, std::vector<idl::Param> params,
                         std::string doc, const clang::Decl& declaration) {
  const clang::CXXRecordDecl* actor_class =
      tu_.Definition(declared_class, declaration.getLocation());
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
  std::optional<std::string> options =
      ActorOptions(name, *actor_class, declaration, concurrency.thread_safe);
  if (!options) return;
  std::string class_name = QualifiedTypeName(*actor_class, tu_.ast);
  std::vector<idl::Method> methods;
  std::map<std::string, Declarer> declared_by;
  Subobject whole{class_name, Display(class_name)};
  if (!ActorMethods(*actor_class, name, whole, {}, methods, declared_by, concurrency)) return;
  if (doc.empty()) doc = DocComment(*actor_class, tu_.ast);
  idl::Actor actor{name,
                   class_name,
                   std::move(construction),
                   std::move(params),
                   std::move(methods),
                   concurrency.thread_safe,
                   concurrency.groups,
                   std::move(doc),
                   tu_.locator.Describe(declaration.getLocation()),
                   std::move(*options)};
  AddUnique(tu_.model.actors, name, std::move(actor), "actor type", declaration.getLocation());
}

std::optional<std::string> Collector::ActorOptions(const std::string& name,
                                                   const clang::CXXRecordDecl& actor_class,
                                                   const clang::Decl& declaration,
                                                   bool thread_safe) {
  DeclaredOptions declared = ReadActorOptions(actor_class, ClassLabel(actor_class, tu_.ast), tu_);
  if (!declared.ok) return std::nullopt;
  if (llvm::isa<clang::CXXMethodDecl>(declaration)) {  // a factory's own, over its class's
    DeclaredOptions own = ReadActorOptions(
        declaration, "the factory of actor type '" + name + "'", tu_);
    if (!own.ok) return std::nullopt;
    if (own.location.isValid()) {
      declared.value.update(own.value);
      declared.location = own.location;
    }
  }
  auto threads = declared.value.find("max_concurrency");
  if (!thread_safe && threads != declared.value.end() && threads->get<std::int64_t>() > 1) {
    tu_.reporter.Error(declared.location,
                       "GORAY_ACTOR_OPTIONS gives actor type '" + name + "' max_concurrency " +
                           threads->dump() + ", which runs its methods on several threads at "
                           "once, but " + ClassLabel(actor_class, tu_.ast) +
                           " is not GORAY_THREADSAFE; mark the class GORAY_THREADSAFE if its "
                           "methods may run concurrently, or remove max_concurrency");
    return std::nullopt;
  }
  return declared.value.empty() ? std::string() : declared.value.dump();
}

bool Collector::ActorMethods(const clang::CXXRecordDecl& record, const std::string& actor,
                             const Subobject& subobject, const std::set<std::string>& hidden,
                             std::vector<idl::Method>& methods,
                             std::map<std::string, Declarer>& declared_by,
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
    std::optional<Signature> signature = SignatureOf(*method, what);
    if (!signature) {
      ok = false;
      continue;
    }
    std::optional<std::string> group;
    if (!MethodGroup(*method, what, concurrency, group)) {
      ok = false;
      continue;
    }
    bool keeps_gil = false;
    if (!KeepsGil(*method, what, signature->result, keeps_gil)) {
      ok = false;
      continue;
    }
    declared_by.emplace(name, Declarer{class_name, subobject});
    if (group) tu_.model.exported_grouped_methods.insert(class_name + "::" + name);
    methods.push_back(idl::Method{name, class_name, method->isConst(),
                                  std::move(signature->params), std::move(signature->result),
                                  DocComment(*method, tu_.ast),
                                  tu_.locator.PositionOf(method->getLocation()), group,
                                  keeps_gil});
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
  std::vector<std::string> marked;
  if (concurrency.thread_safe) marked.push_back("GORAY_THREADSAFE");
  if (!concurrency.groups.empty() || !concurrency.ok) marked.push_back("GORAY_CONCURRENCY_GROUP");
  for (const auto* attribute : record.specific_attrs<clang::AnnotateAttr>()) {
    if (IsActorOptionsMarker(attribute->getAnnotation())) {
      marked.push_back("GORAY_ACTOR_OPTIONS");
      break;
    }
  }
  std::string markers;
  for (std::size_t i = 0; i < marked.size(); ++i) {
    markers += (i == 0 ? "" : i + 1 == marked.size() ? " and " : ", ") + marked[i];
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

}  // namespace goray::scan
