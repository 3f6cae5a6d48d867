// The scanner rules (docs/scanner-rules.md): walks the declarations of one translation
// unit that lie in the scanned files, finds the goray markers (annotate attributes from
// <goray/annotations.h>) and records tasks, actor types, the driver and the init options in
// the model as typed IDL objects (idl.h), or reports what breaks a rule.
//
// One class, its work split by job:
//   collector.cpp           the walk: each declaration's markers, dispatched to the job
//                           below, or reported where they do not apply
//   collect_members.cpp     the member functions of a marked class and its bases: which
//                           are exported, which are skipped (with a warning), ambiguities
//   collect_signatures.cpp  a function's parameters and result, mapped by the TypeMapper
//   collect_tasks.cpp       GORAY_TASKS
//   collect_actors.cpp      GORAY_ACTORS, GORAY_ACTOR, and the concurrency markers on an
//                           actor's class and methods
//   collect_driver.cpp      GORAY_DRIVER and GORAY_INIT_OPTIONS
// The user's structs and enums are recorded by the TypeMapper as signatures reach them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <clang/Basic/SourceLocation.h>

#include "concurrency.h"
#include "idl.h"
#include "reserved_names.h"
#include "tu_context.h"
#include "type_mapper.h"

namespace clang {
class CXXBaseSpecifier;
class CXXMethodDecl;
class CXXRecordDecl;
class Decl;
class DeclContext;
class FunctionDecl;
class NamedDecl;
class ParmVarDecl;
class TranslationUnitDecl;
class VarDecl;
}  // namespace clang

namespace goray::scan {

class Collector {
 public:
  explicit Collector(TuContext& tu) : tu_(tu), types_(tu) {}

  void Run(const clang::TranslationUnitDecl& unit);

 private:
  // collector.cpp: the walk.
  void Walk(const clang::DeclContext& context);
  void Visit(const clang::Decl& decl);
  void Misplaced(const clang::Decl& decl, const std::string& marker);
  // Reports a name goray reserves (reserved_names.h); `what` is like "task 'Get__'".
  bool CheckName(const std::string& name, NameUse use, const std::string& what,
                 clang::SourceLocation location);
  // Reports a declaration generated code cannot name (in an anonymous namespace, ...).
  bool CheckNameable(const clang::NamedDecl& decl, const std::string& what);
  // Records a task or actor type under its unique name; a second one of that name (not the
  // same declaration seen from another source file) is reported (`kind`: "task").
  template <typename Entry>
  void AddUnique(std::map<std::string, Entry>& entries, const std::string& key, Entry entry,
                 const std::string& kind, clang::SourceLocation location);

  // collect_members.cpp: member functions across a class hierarchy.
  // A member function name and its declarations in one class, in declaration order.
  using MemberGroup = std::pair<std::string, std::vector<const clang::Decl*>>;
  // One class subobject of the scanned class: `key` identifies it (a virtual base is one
  // subobject however often it is reached, a non-virtual base one per path), `path` is
  // how it is reached ("Tasks -> Left -> Counter"), for messages.
  struct Subobject {
    std::string key;
    std::string path;
  };
  // Who declares a member name found so far: the class and the subobject it was found in.
  struct Declarer {
    std::string class_name;
    Subobject subobject;
  };
  // Whether the member function `method` of `class_name` (reached as `subobject`) names
  // something not found before in the walk of a class hierarchy; a second declaration that
  // makes the name ambiguous is reported (`declare_in`: where to declare it instead).
  enum class Found { kNew, kSeen, kAmbiguous };
  Found FoundBefore(const std::map<std::string, Declarer>& declared_by,
                    const clang::CXXMethodDecl& method, const std::string& class_name,
                    const Subobject& subobject, const std::string& what,
                    const std::string& declare_in);
  Subobject BaseSubobject(const Subobject& derived, const clang::CXXBaseSpecifier& base,
                          const clang::CXXRecordDecl& base_record) const;
  // The member function `decl` declares (a method, or a method template's), or null.
  static const clang::CXXMethodDecl* AsMethod(const clang::Decl* decl);
  std::vector<MemberGroup> MemberFunctions(const clang::CXXRecordDecl& record);
  // The public, non-deleted member functions of `record` named by identifiers; overloads
  // and templates are reported (`what` is like "task", "actor type").
  std::vector<const clang::CXXMethodDecl*> PublicFunctions(
      const clang::CXXRecordDecl& record, const std::string& what,
      const std::set<std::string>& hidden = {});
  // Warns about each member function of `record` (in a scanned file) the rules skip though
  // a user may have meant it to be exported as a `what` ("task"): an operator or
  // conversion, a non-public one (`non_public`), a static one (`is_static`). `role` names
  // the class for messages ("GORAY_TASKS struct 'Tasks'"). docs/scanner-rules.md,
  // "Skipped, with a warning".
  void WarnSkipped(const clang::CXXRecordDecl& record, const std::string& role,
                   const std::string& what, const std::set<std::string>& hidden,
                   bool non_public, bool is_static);
  // Warns that the member functions of a non-public base are not exported.
  void WarnNonPublicBase(const clang::CXXBaseSpecifier& base, const std::string& role,
                         const std::string& what);

  // collect_signatures.cpp
  struct Signature {
    std::vector<idl::Param> params;
    idl::Type result = idl::Void();  // void when not asked for
  };
  // The parameters of a task, factory, method or constructor, and its result when
  // `with_result` (an actor factory's result is the actor, not mapped); `owner` is like
  // "task 'Square'". Every problem is reported before it returns nullopt.
  std::optional<Signature> SignatureOf(const clang::FunctionDecl& function,
                                       const std::string& owner, bool with_result = true);
  // A generator's body runs after its call returns: its mapped parameters must not borrow
  // the caller's memory (goray::ArrayView, std::span, std::string_view); reports those
  // that do, each at its declaration (`declared[i]` is params[i]'s).
  bool BorrowFreeGenerator(const std::string& owner, const std::vector<idl::Param>& params,
                           const std::vector<const clang::ParmVarDecl*>& declared);

  // collect_tasks.cpp
  void Tasks(const clang::CXXRecordDecl& record);
  // The tasks `record` (reached as `subobject`) declares and those of its public bases;
  // names in `hidden` are declared by a derived class (which hides them).
  void TaskFunctions(const clang::CXXRecordDecl& record, const std::string& owner,
                     const Subobject& subobject, const std::set<std::string>& hidden,
                     std::map<std::string, Declarer>& declared_by);

  // collect_actors.cpp
  void Actors(const clang::CXXRecordDecl& record);
  void ActorClass(const clang::CXXRecordDecl& record);
  // The actor type `name` of class `actor_class`, built as `construction` says.
  void AddActor(const std::string& name, const clang::CXXRecordDecl& actor_class,
                idl::Construction construction, std::vector<idl::Param> params,
                std::string doc, const clang::Decl& declaration);
  // The options actor type `name` is created with: GORAY_ACTOR_OPTIONS of its class and,
  // for a factory (`declaration`), the factory's own over them, as a JSON object's text
  // ("" none); nullopt when a marker is broken, or gives max_concurrency > 1 to a class
  // that is not thread-safe (reported).
  std::optional<std::string> ActorOptions(const std::string& name,
                                          const clang::CXXRecordDecl& actor_class,
                                          const clang::Decl& declaration, bool thread_safe);
  bool ActorMethods(const clang::CXXRecordDecl& record, const std::string& actor,
                    const Subobject& subobject, const std::set<std::string>& hidden,
                    std::vector<idl::Method>& methods,
                    std::map<std::string, Declarer>& declared_by,
                    const ClassConcurrency& concurrency, bool is_base = false);
  // The concurrency markers (concurrency.h): a marked class, a GORAY_IN_GROUP function
  // (`marker`), both recorded for the checks once every file is scanned.
  void ConcurrencyClass(const clang::CXXRecordDecl& record);
  void InGroup(const clang::FunctionDecl& function, const std::string& marker);
  // GORAY_KEEP_GIL on a member function, recorded (keep_gil.h); elsewhere misplaced.
  void KeepGil(const clang::FunctionDecl& function, const std::string& marker);
  // Whether task or method `method` keeps the GIL; false with an error when it is marked but
  // cannot (a generator).
  bool KeepsGil(const clang::CXXMethodDecl& method, const std::string& what,
                const idl::Type& result, bool& keeps);
  // The concurrency group of actor method `method` (`what`: "method 'M' of actor type
  // 'A'") into `group` (unset: none); false when its GORAY_IN_GROUP is broken (reported):
  // several groups, or one the actor's class does not declare.
  bool MethodGroup(const clang::CXXMethodDecl& method, const std::string& what,
                   const ClassConcurrency& concurrency, std::optional<std::string>& group);

  // collect_driver.cpp
  void Driver(const clang::FunctionDecl& function);
  void InitOptions(const clang::VarDecl& variable);

  TuContext& tu_;
  TypeMapper types_;
  // canonical declarations of drivers, init options, GORAY_IN_GROUP methods
  std::set<const clang::Decl*> handled_;
};

template <typename Entry>
void Collector::AddUnique(std::map<std::string, Entry>& entries, const std::string& key,
                          Entry entry, const std::string& kind, clang::SourceLocation location) {
  auto found = entries.find(key);
  if (found == entries.end()) {
    entries.emplace(key, std::move(entry));
    return;
  }
  if (found->second.location == entry.location) return;  // seen from another source file
  tu_.reporter.Error(location, kind + " '" + key + "' is declared twice (the other is at " +
                                   found->second.location.Describe() +
                                   "); names must be unique: rename one");
}

}  // namespace goray::scan
