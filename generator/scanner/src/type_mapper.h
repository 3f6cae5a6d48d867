// C++ types -> IDL type objects (docs/protocol.md §5): parameters, results, and the
// user structs and enums reachable from them (recorded in the model). Anything the
// mapping does not cover is reported as an error at the declaration that uses it
// (docs/scanner-rules.md, "Errors"; the types allowed: docs/types.md).
#pragma once

#include <optional>
#include <set>
#include <string>

#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Type.h>
#include <nlohmann/json.hpp>

#include "tu_context.h"

namespace goray::scan {

// Where a type is used, for messages: "parameter 'x' of task 'Square'".
struct TypeUse {
  std::string what;
  clang::SourceLocation location;
};

// Where a type stands: only a parameter itself may be a borrowed array view, only a
// result a std::tuple (several results) or a goray::Generator (a task's or method's: an
// actor factory's result is not mapped); anything inside them is a value.
enum class Site { kValue, kParameter, kResult };

class TypeMapper {
 public:
  explicit TypeMapper(TuContext& tu) : tu_(tu) {}

  // {"name", "declared", "passing", "type"}; `owner` is like "task 'Square'".
  std::optional<nlohmann::json> Parameter(const clang::ParmVarDecl& parameter, unsigned index,
                                          const std::string& owner);
  // The result type object (void, a value, or a tuple of several results).
  std::optional<nlohmann::json> Result(const clang::FunctionDecl& function,
                                       const std::string& owner);
  // A value type (not void, not a tuple of results).
  std::optional<nlohmann::json> Value(clang::QualType type, const TypeUse& use);

 private:
  std::optional<nlohmann::json> Map(clang::QualType type, const TypeUse& use,
                                    clang::QualType outer, Site site);
  std::optional<nlohmann::json> MapStandard(const clang::ClassTemplateSpecializationDecl& spec,
                                            clang::QualType written, nlohmann::json& object,
                                            const TypeUse& use, clang::QualType outer,
                                            Site site);
  // goray::Array<T> ("array"), goray::ArrayView<T> ("view"), std::span<const T> ("span"):
  // `element` is T as written (const included for a span).
  std::optional<nlohmann::json> MapArray(const std::string& form, clang::QualType element,
                                         clang::QualType written, nlohmann::json& object,
                                         const TypeUse& use, clang::QualType outer, Site site);
  // goray::Generator<T> ("generator"), a task's or method's result only: `item` is T.
  std::optional<nlohmann::json> MapGenerator(clang::QualType item, clang::QualType written,
                                             nlohmann::json& object, const TypeUse& use,
                                             clang::QualType outer, Site site);
  // goray::ObjectRef and goray::Future<T...> ("object_ref"), goray::ActorHandle and
  // goray::ActorHandleOf<Actor> ("actor_handle"); nullopt with object["kind"] unset when
  // `record` is none of them, set when it is but could not be mapped (reported).
  std::optional<nlohmann::json> MapReference(const clang::CXXRecordDecl& record,
                                             clang::QualType written, nlohmann::json& object,
                                             const TypeUse& use, clang::QualType outer);
  std::optional<std::string> Struct(const clang::CXXRecordDecl& record, const TypeUse& use);
  bool Fields(const clang::CXXRecordDecl& record, const std::string& struct_name,
              nlohmann::json& fields, std::set<std::string>& field_names,
              std::set<const clang::CXXRecordDecl*>& visited);
  std::optional<std::string> Enum(const clang::EnumDecl& decl, const TypeUse& use);
  // Warns when user type `decl` (named `name`) is declared in a header goray does not
  // scan: generated headers cannot name it, so the typed C++ wrappers using it are left
  // out; says what to add.
  void WarnIfUnscanned(const clang::NamedDecl& decl, const std::string& name,
                       const TypeUse& use);
  void Unsupported(const TypeUse& use, clang::QualType inner, clang::QualType outer,
                   const std::string& reason = {});
  std::string Print(clang::QualType type) const;
  std::string Canonical(clang::QualType type) const;

  TuContext& tu_;
  std::set<std::string> in_progress_;  // structs being mapped (recursive types)
};

}  // namespace goray::scan
