// The entry of the type mapping (docs/protocol.md §5): a parameter or result taken apart
// (references, pointers, cv-qualifiers), then a type dispatched by what it is: a builtin or
// an enum here, a std:: template (standard_types.cpp), a goray:: type (goray_types.cpp) or
// an Eigen dense type (eigen_types.cpp) or a user struct (user_types.cpp).
#include "type_mapper.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>

#include "integer_kinds.h"
#include "naming.h"

namespace goray::scan {
namespace {

constexpr const char* kSupportedTypes =
    "use bool, an integer type, float, double, std::complex<float> or std::complex<double>, "
    "std::string (std::string_view for a parameter or result), std::vector, std::array, "
    "std::list, std::deque, std::set, std::unordered_set, std::pair, std::map, "
    "std::unordered_map, std::optional, std::variant, std::filesystem::path, "
    "std::chrono::system_clock::time_point, a std::chrono::duration of an integer count "
    "(std::chrono::milliseconds, ...), goray::Value, goray::Array (goray::ArrayView or "
    "std::span<const T> for a parameter), goray::ObjectRef, goray::Future, "
    "goray::ActorHandle, goray::ActorHandleOf, Eigen::Matrix and Eigen::Array (Eigen::Ref<const "
    "M> or Eigen::Map<const M> for a parameter), an enum or a struct with public fields (and "
    "goray::Generator<T> as the result of a task or method)";

// The template arguments of `spec`, taken from `written` where the type was spelled
// with them (so that int32_t stays int32_t), else the canonical ones. A parameter pack
// (std::tuple) is flattened.
std::vector<clang::TemplateArgument> SugaredArguments(
    clang::QualType written, const clang::ClassTemplateSpecializationDecl& spec) {
  std::vector<clang::TemplateArgument> canonical;
  for (const clang::TemplateArgument& argument : spec.getTemplateArgs().asArray()) {
    if (argument.getKind() == clang::TemplateArgument::Pack) {
      for (const clang::TemplateArgument& element : argument.pack_elements()) {
        canonical.push_back(element);
      }
    } else {
      canonical.push_back(argument);
    }
  }
  for (clang::QualType current = written; !current.isNull();) {
    const auto* specialization = current->getAs<clang::TemplateSpecializationType>();
    if (specialization == nullptr) break;
    if (specialization->isTypeAlias()) {
      current = specialization->getAliasedType();
      continue;
    }
    const clang::TemplateDecl* templ = specialization->getTemplateName().getAsTemplateDecl();
    if (templ != nullptr &&
        templ->getCanonicalDecl() == spec.getSpecializedTemplate()->getCanonicalDecl()) {
      llvm::ArrayRef<clang::TemplateArgument> arguments =
          specialization->template_arguments();
      for (std::size_t i = 0; i < arguments.size() && i < canonical.size(); ++i) {
        if (arguments[i].getKind() == canonical[i].getKind()) canonical[i] = arguments[i];
      }
    }
    break;
  }
  return canonical;
}

}  // namespace

bool IsUnderNamespace(const clang::Decl& decl, llvm::StringRef name) {
  const clang::NamespaceDecl* outermost = nullptr;
  for (const clang::DeclContext* context = decl.getDeclContext(); context != nullptr;
       context = context->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context)) outermost = ns;
  }
  return outermost != nullptr && outermost->getName() == name;
}

clang::QualType TypeMapper::LibraryType::TypeArgument(std::size_t i) const {
  if (i >= arguments.size() || arguments[i].getKind() != clang::TemplateArgument::Type) {
    return {};
  }
  return arguments[i].getAsType();
}

std::string TypeMapper::LibraryType::Spell(const std::string& templ,
                                              const std::vector<std::string>& parts) const {
  if (alias) return *alias;
  std::string spelling = templ + "<";
  for (std::size_t i = 0; i < parts.size(); ++i) spelling += (i == 0 ? "" : ", ") + parts[i];
  return spelling + ">";
}

std::string TypeMapper::Print(clang::QualType type) const {
  return type.getAsString(tu_.message_policy);
}

std::string TypeMapper::Canonical(clang::QualType type) const {
  return type.getCanonicalType().getUnqualifiedType().getAsString(tu_.canonical_policy);
}

void TypeMapper::Unsupported(const TypeUse& use, clang::QualType inner, clang::QualType outer,
                             const std::string& reason) {
  std::string message = use.what + " has type '" + Print(outer) + "', which goray cannot pass";
  std::string inner_name = Print(inner);
  if (inner_name != Print(outer)) message += ": '" + inner_name + "' is not supported";
  message += "; " + (reason.empty() ? std::string(kSupportedTypes) : reason);
  tu_.reporter.Error(use.location, message);
}

void TypeMapper::Unsupported(const LibraryType& type, const std::string& reason) {
  Unsupported(type.use, type.written, type.outer, reason);
}

std::optional<idl::Param> TypeMapper::Parameter(const clang::ParmVarDecl& parameter,
                                                unsigned index, const std::string& owner) {
  std::string name = parameter.getName().empty() ? "arg" + std::to_string(index)
                                                 : parameter.getName().str();
  TypeUse use{"parameter '" + name + "' of " + owner, parameter.getLocation()};
  clang::QualType declared = parameter.getType();

  // What C++ adjusted: `int f(int a[3])` takes an int*, `f(void g())` a function pointer.
  if (const auto* decayed = declared->getAs<clang::DecayedType>()) {
    if (decayed->getOriginalType()->isFunctionType()) {
      tu_.reporter.Error(use.location, use.what + " is a function pointer ('" +
                                           Print(parameter.getOriginalType()) +
                                           "'); functions cannot be passed to goray: pass "
                                           "data and choose the function from it");
    } else {
      tu_.reporter.Error(use.location,
                         use.what + " is an array, which C++ passes as a pointer ('" +
                             Print(declared) + "'); take a std::vector or std::array");
    }
    return std::nullopt;
  }

  idl::Passing passing = idl::Passing::kValue;
  std::string reference_suffix;
  clang::QualType value = declared;
  if (const auto* reference = declared->getAs<clang::ReferenceType>()) {
    value = reference->getPointeeType();
    if (declared->isLValueReferenceType()) {
      if (!value.isConstQualified() && !value->isFunctionType()) {
        tu_.reporter.Error(use.location,
                           use.what + " is a non-const reference ('" + Print(declared) +
                               "'); goray passes arguments by value: take it by value or by "
                               "const reference");
        return std::nullopt;
      }
      passing = idl::Passing::kConstReference;
      reference_suffix = "&";
    } else {
      passing = idl::Passing::kRvalueReference;
      reference_suffix = "&&";
    }
  }
  if (value->isFunctionType() || value->isFunctionPointerType() ||
      value->isFunctionReferenceType() || value->isMemberFunctionPointerType() ||
      value->isBlockPointerType()) {
    tu_.reporter.Error(use.location, use.what + " is a function pointer ('" + Print(declared) +
                                         "'); functions cannot be passed to goray: pass data "
                                         "and choose the function from it");
    return std::nullopt;
  }
  if (value->isAnyPointerType() || value->isMemberPointerType() || value->isNullPtrType()) {
    tu_.reporter.Error(use.location, use.what + " is a pointer ('" + Print(declared) +
                                         "'); goray passes arguments by value: take it by "
                                         "value or by const reference");
    return std::nullopt;
  }

  bool is_const = value.isConstQualified();
  clang::QualType plain = value.getUnqualifiedType();
  std::optional<idl::Type> type = Map(plain, use, plain, Site::kParameter);
  if (!type) return std::nullopt;
  // A view or span by && would say the callee takes the caller's memory over, which it
  // cannot: the memory stays the caller's.
  const auto* array = type->As<idl::NdArrayType>();
  const auto* column = type->As<idl::ColumnType>();
  bool is_view = (array != nullptr && idl::IsBorrowed(array->form)) ||
                 type->Is<idl::StringViewType>() || (column != nullptr && !column->builder);
  if (is_view && passing == idl::Passing::kRvalueReference) {
    tu_.reporter.Error(use.location, use.what + " is an rvalue reference ('" + Print(declared) +
                                         "'); take a view by value or by const reference");
    return std::nullopt;
  }
  std::string spelled = (is_const ? "const " : "") + type->spelling + reference_suffix;
  return idl::Param{name, spelled, passing, std::move(*type), /*has_default=*/false,
                    /*default_value=*/std::nullopt};
}

std::optional<idl::Type> TypeMapper::Result(const clang::FunctionDecl& function,
                                            const std::string& owner) {
  clang::QualType result = function.getReturnType();
  clang::SourceLocation location = function.getReturnTypeSourceRange().getBegin();
  if (location.isInvalid()) location = function.getLocation();
  TypeUse use{"the result of " + owner, location};
  if (result->isVoidType()) return idl::Void();
  if (result->isUndeducedType()) {
    tu_.reporter.Error(use.location, use.what + " has a type that is not deduced here; "
                                                "declare the result type");
    return std::nullopt;
  }
  // A reference result is returned by value: the caller gets a copy of what it refers to.
  if (const auto* reference = result->getAs<clang::ReferenceType>()) {
    result = reference->getPointeeType();
  }
  if (result->isAnyPointerType() || result->isMemberPointerType() ||
      result->isFunctionPointerType()) {
    tu_.reporter.Error(use.location, use.what + " is a pointer ('" +
                                         Print(function.getReturnType()) +
                                         "'); return a value");
    return std::nullopt;
  }
  clang::QualType plain = result.getUnqualifiedType();
  return Map(plain, use, plain, Site::kResult);
}

std::optional<idl::Type> TypeMapper::Value(clang::QualType type, const TypeUse& use) {
  clang::QualType plain = type.getUnqualifiedType();
  return Map(plain, use, plain, Site::kValue);
}

std::optional<idl::Type> TypeMapper::Map(clang::QualType type, const TypeUse& use,
                                         clang::QualType outer, Site site) {
  clang::QualType canonical = type.getCanonicalType().getUnqualifiedType();
  // Kept as the spelling where the standard library or the system names the type
  // (int64_t, std::string): generated code then spells it as the user did.
  std::optional<std::string> alias = AliasSpelling(type, tu_.ast);
  const clang::Type* node = canonical.getTypePtr();

  if (const auto* builtin = llvm::dyn_cast<clang::BuiltinType>(node)) {
    return MapBuiltin(*builtin, type, canonical, alias, use, outer);
  }
  if (const auto* enum_type = llvm::dyn_cast<clang::EnumType>(node)) {
    const clang::EnumDecl& decl = *enum_type->getDecl();
    if (IsUnderNamespace(decl, "std")) {  // std::byte outside a vector, std::errc, ...
      Unsupported(use, type, outer);
      return std::nullopt;
    }
    std::optional<std::string> name = Enum(decl, use);
    if (!name) return std::nullopt;
    return idl::Type{alias.value_or(*name), Canonical(canonical), idl::EnumType{*name}};
  }
  if (const auto* record_type = llvm::dyn_cast<clang::RecordType>(node)) {
    const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(record_type->getDecl());
    if (record != nullptr) return MapRecord(*record, type, canonical, alias, use, outer, site);
    Unsupported(use, type, outer);
    return std::nullopt;
  }

  if (node->isAnyPointerType() || node->isMemberPointerType()) {
    Unsupported(use, type, outer, "pointers cannot be passed: store the values themselves");
  } else if (node->isReferenceType()) {
    Unsupported(use, type, outer, "references cannot be stored: store the values themselves");
  } else if (node->isConstantArrayType()) {
    Unsupported(use, type, outer, "use std::array instead of a C array");
  } else {
    Unsupported(use, type, outer);
  }
  return std::nullopt;
}

std::optional<idl::Type> TypeMapper::MapBuiltin(const clang::BuiltinType& builtin,
                                                clang::QualType type, clang::QualType canonical,
                                                const std::optional<std::string>& alias,
                                                const TypeUse& use, clang::QualType outer) {
  idl::TypeKind kind;
  if (IsStandardInteger(builtin.getKind(), /*plain_char=*/true)) {
    kind = idl::IntType{tu_.ast.getTypeSize(canonical), canonical->isSignedIntegerType()};
  } else {
    switch (builtin.getKind()) {
      case clang::BuiltinType::Bool:
        kind = idl::BoolType{};
        break;
      case clang::BuiltinType::Float:
        kind = idl::FloatType{32};
        break;
      case clang::BuiltinType::Double:
        kind = idl::FloatType{64};
        break;
      case clang::BuiltinType::Void:
        Unsupported(use, type, outer, "void is only a result type");
        return std::nullopt;
      default:  // long double, wchar_t, char8/16/32_t, __int128, ...: no msgpack form
        Unsupported(use, type, outer);
        return std::nullopt;
    }
  }
  return idl::Type{alias.value_or(builtin.getName(tu_.message_policy).str()),
                   Canonical(canonical), std::move(kind)};
}

std::optional<idl::Type> TypeMapper::MapRecord(const clang::CXXRecordDecl& record,
                                               clang::QualType type, clang::QualType canonical,
                                               const std::optional<std::string>& alias,
                                               const TypeUse& use, clang::QualType outer,
                                               Site site) {
  bool in_std = IsUnderNamespace(record, "std");
  bool in_eigen = IsUnderNamespace(record, "Eigen");
  if (in_std || in_eigen || IsUnderNamespace(record, "goray")) {
    const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(&record);
    LibraryType library{record,
                        spec,
                        spec != nullptr ? SugaredArguments(type, *spec)
                                        : std::vector<clang::TemplateArgument>{},
                        type,
                        Canonical(canonical),
                        alias,
                        use,
                        outer,
                        site};
    if (in_std) return MapStandard(library);
    return in_eigen ? MapEigen(library) : MapGoray(library);
  }
  std::optional<std::string> name = Struct(record, use);
  if (!name) return std::nullopt;
  return idl::Type{alias.value_or(*name), Canonical(canonical), idl::StructType{*name}};
}

}  // namespace goray::scan
