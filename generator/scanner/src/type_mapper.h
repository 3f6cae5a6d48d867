// C++ types -> IDL type objects (idl::Type; docs/protocol.md §5): parameters, results, and
// the user structs and enums reachable from them (recorded in the model). Anything the
// mapping does not cover is reported as an error at the declaration that uses it
// (docs/scanner-rules.md, "Errors"; the types allowed: docs/types.md).
//
// One class, its work split by kind of type:
//   type_mapper.cpp     parameters, results, and the dispatch of a type by what it is:
//                       builtins and enums here, then standard, goray and user types
//   standard_types.cpp  std:: types: strings and bytes, string views, containers, optional,
//                       std::array, pair and tuple, maps, time points and durations,
//                       complex numbers, paths, variants, spans, smart pointers (refused)
//   goray_types.cpp     goray::Value, arrays, generators, refs and actor handles
//   eigen_types.cpp     Eigen's dense matrices and arrays, Ref<const M>, Map<const M>
//   user_types.cpp      the user's structs and enums, recorded in the model
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <clang/AST/TemplateBase.h>
#include <clang/AST/Type.h>

#include "idl.h"
#include "tu_context.h"

namespace clang {
class BuiltinType;
class ClassTemplateSpecializationDecl;
class CXXRecordDecl;
class Decl;
class EnumDecl;
class FunctionDecl;
class NamedDecl;
class ParmVarDecl;
}  // namespace clang

namespace goray::scan {

// Where a type is used, for messages: "parameter 'x' of task 'Square'".
struct TypeUse {
  std::string what;
  clang::SourceLocation location;
};

// Where a type stands: only a parameter itself may be a borrowed array view, only a
// result a std::tuple (several results) or a goray::Generator (a task's or method's: an
// actor factory's result is not mapped); anything inside them is a value.
// kBorrowedElement: an element of a parameter's own std::vector (a std::string_view there
// views the request too); otherwise a value.
enum class Site { kValue, kParameter, kResult, kBorrowedElement };

class TypeMapper {
 public:
  explicit TypeMapper(TuContext& tu) : tu_(tu) {}

  // A parameter and its value type; `owner` is like "task 'Square'".
  std::optional<idl::Param> Parameter(const clang::ParmVarDecl& parameter, unsigned index,
                                      const std::string& owner);
  // The result type (void, a value, a tuple of several results, or a generator).
  std::optional<idl::Type> Result(const clang::FunctionDecl& function, const std::string& owner);
  // A value type (not void, not a tuple of results).
  std::optional<idl::Type> Value(clang::QualType type, const TypeUse& use);

 private:
  // A use of a class of the standard library's or goray's, with what the mapping of each
  // kind needs.
  struct LibraryType {
    const clang::CXXRecordDecl& record;
    // The class template specialization it is (null for a plain class: goray::Value, ...),
    // and its arguments as written where the source spelled them (so that int32_t stays
    // int32_t), else the canonical ones; a parameter pack (std::tuple's, goray::Future's)
    // flattened.
    const clang::ClassTemplateSpecializationDecl* spec;
    std::vector<clang::TemplateArgument> arguments;
    clang::QualType written;           // as the source wrote it
    std::string canonical;             // the "canonical" of the type object
    std::optional<std::string> alias;  // a system alias naming the whole type ("std::string")
    const TypeUse& use;
    clang::QualType outer;  // the whole type of the use, for messages
    Site site;

    // Argument i if it is a type, else a null type.
    clang::QualType TypeArgument(std::size_t i) const;
    // How generated C++ spells the type: the alias, else `templ<parts...>`.
    std::string Spell(const std::string& templ, const std::vector<std::string>& parts) const;
  };

  // type_mapper.cpp
  std::optional<idl::Type> Map(clang::QualType type, const TypeUse& use, clang::QualType outer,
                               Site site);
  std::optional<idl::Type> MapBuiltin(const clang::BuiltinType& builtin, clang::QualType type,
                                      clang::QualType canonical,
                                      const std::optional<std::string>& alias,
                                      const TypeUse& use, clang::QualType outer);
  std::optional<idl::Type> MapRecord(const clang::CXXRecordDecl& record, clang::QualType type,
                                     clang::QualType canonical,
                                     const std::optional<std::string>& alias,
                                     const TypeUse& use, clang::QualType outer, Site site);
  // Unsupported() for a library type, naming it as written.
  void Unsupported(const LibraryType& type, const std::string& reason = {});
  void Unsupported(const TypeUse& use, clang::QualType inner, clang::QualType outer,
                   const std::string& reason = {});
  std::string Print(clang::QualType type) const;
  std::string Canonical(clang::QualType type) const;

  // standard_types.cpp: MapStandard dispatches by template name to one function per kind.
  std::optional<idl::Type> MapStandard(const LibraryType& type);
  std::optional<idl::Type> MapPlainStandard(const LibraryType& type);
  std::optional<idl::Type> MapTimePoint(const LibraryType& type);
  std::optional<idl::Type> MapDuration(const LibraryType& type);
  std::optional<idl::Type> MapString(const LibraryType& type);
  std::optional<idl::Type> MapStringView(const LibraryType& type);
  std::optional<idl::Type> MapComplex(const LibraryType& type);
  std::optional<idl::Type> MapVariant(const LibraryType& type);
  std::optional<idl::Type> MapVector(const LibraryType& type);
  template <typename Kind>
  std::optional<idl::Type> MapOneElement(const LibraryType& type, bool default_arguments);
  std::optional<idl::Type> MapFixedArray(const LibraryType& type);
  template <typename Kind>
  std::optional<idl::Type> MapElements(const LibraryType& type);
  template <typename Kind>
  std::optional<idl::Type> MapKeyValue(const LibraryType& type);
  std::optional<idl::Type> MapSpan(const LibraryType& type);
  // Whether the arguments from `required` on are the template's defaults (std::allocator,
  // std::less, std::hash, std::char_traits); reported when they are not.
  bool DefaultArguments(const LibraryType& type, unsigned required);
  // Argument i as a value type (reported when it is missing or cannot be mapped).
  std::optional<idl::Type> MapArgument(const LibraryType& type, std::size_t i);

  // goray_types.cpp
  std::optional<idl::Type> MapGoray(const LibraryType& type);
  // goray::Array<T>, goray::ArrayView<T>, std::span<const T>: `element` is T as written
  // (const included for a span).
  std::optional<idl::Type> MapArray(const LibraryType& type, idl::ArrayForm form,
                                    clang::QualType element);
  // goray::StringColumn / goray::BinaryColumn (a parameter only) and their builders.
  std::optional<idl::Type> MapColumn(const LibraryType& type, bool builder);
  // goray::Generator<T>, a task's or method's result only.
  std::optional<idl::Type> MapGenerator(const LibraryType& type);
  // goray::ObjectRef and goray::Future<T...> ("object_ref"), goray::ActorHandle and
  // goray::ActorHandleOf<Actor> ("actor_handle").
  static bool IsReference(const LibraryType& type);
  std::optional<idl::Type> MapReference(const LibraryType& type);
  std::optional<idl::Type> MapFuture(const LibraryType& type);
  std::optional<idl::Type> MapActorHandleOf(const LibraryType& type);

  // eigen_types.cpp: Eigen::Matrix and Eigen::Array ("eigen"), Eigen::Ref<const M>
  // ("eigen_ref") and Eigen::Map<const M> ("eigen_map", both a parameter's own type only);
  // any other class of namespace Eigen refused, saying what to pass instead.
  std::optional<idl::Type> MapEigen(const LibraryType& type);
  std::optional<idl::Type> MapEigenBorrowed(const LibraryType& type, idl::ArrayForm form);
  // M, a Matrix or Array specialization, as its shape and element type; nullopt (reported
  // as `type`'s) when its scalar is no array element.
  struct EigenDense {
    idl::EigenShape shape;
    std::string element;
    std::string dtype;
  };
  std::optional<EigenDense> Dense(const clang::ClassTemplateSpecializationDecl& spec,
                                  const LibraryType& type);

  // user_types.cpp: the qualified name of a struct or enum recorded in the model, or
  // nullopt (reported) when goray cannot pass it.
  std::optional<std::string> Struct(const clang::CXXRecordDecl& record, const TypeUse& use);
  bool Fields(const clang::CXXRecordDecl& record, const std::string& struct_name,
              std::vector<idl::Field>& fields, std::set<std::string>& field_names,
              std::set<const clang::CXXRecordDecl*>& visited);
  std::optional<std::string> Enum(const clang::EnumDecl& decl, const TypeUse& use);
  // Warns when user type `decl` (named `name`) is declared in a header goray does not
  // scan: generated headers cannot name it, so the typed C++ wrappers using it are left
  // out; says what to add.
  void WarnIfUnscanned(const clang::NamedDecl& decl, const std::string& name,
                       const TypeUse& use);

  TuContext& tu_;
  std::set<std::string> in_progress_;  // structs being mapped (recursive types)
};

// Whether `decl` is in namespace `name` or in one nested in it (the outermost namespace).
bool IsUnderNamespace(const clang::Decl& decl, llvm::StringRef name);

}  // namespace goray::scan
