// GORAY_TASKS (docs/scanner-rules.md): each public member function of the struct and of its
// public bases is a task, named by the function, unique across the application.
#include <clang/AST/DeclCXX.h>

#include "collector.h"
#include "display_name.h"
#include "doc_comments.h"
#include "naming.h"

namespace goray::scan {

void Collector::Tasks(const clang::CXXRecordDecl& record) {
  std::string owner = QualifiedTypeName(record, tu_.ast);
  if (!CheckNameable(record, "GORAY_TASKS struct '" + record.getNameAsString() + "'")) return;
  std::map<std::string, Declarer> declared_by;
  TaskFunctions(record, owner, Subobject{owner, Display(owner)}, {}, declared_by);
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
    std::optional<Signature> signature = SignatureOf(*method, what);
    if (!signature) continue;
    bool keeps_gil = false;
    if (!KeepsGil(*method, what, signature->result, keeps_gil)) continue;
    idl::Task task{name,
                   owner,
                   class_name != owner ? std::optional(class_name) : std::nullopt,  // inherited
                   method->isStatic(),
                   std::move(signature->params),
                   std::move(signature->result),
                   DocComment(*method, tu_.ast),
                   tu_.locator.Describe(method->getLocation()),
                   keeps_gil};
    AddUnique(tu_.model.tasks, name, std::move(task), "task", method->getLocation());
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

}  // namespace goray::scan
