// The standard library's class templates (docs/types.md): MapStandard finds the kind by the
// template's name and hands it to that kind's function. Each one checks what goray cannot
// pass (a custom allocator or comparator, a tuple outside a result, a map key that is
// neither a string nor an integer), maps the arguments as values, and spells the type as
// the source did (a system alias such as std::string kept).
#include <cstdint>

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>

#include "naming.h"
#include "type_mapper.h"

namespace goray::scan {

std::optional<idl::Type> TypeMapper::MapStandard(const LibraryType& type) {
  if (type.spec == nullptr) {  // std::string_view is a specialization; std::mutex is none
    Unsupported(type);
    return std::nullopt;
  }
  llvm::StringRef name = type.spec->getName();
  if (IsInNamespace(*type.spec, "std", "chrono")) return MapTimePoint(type);
  if (!IsInNamespace(*type.spec, "std")) {  // std::pmr::vector and other nested namespaces
    Unsupported(type);
    return std::nullopt;
  }
  if (name == "basic_string") return MapString(type);
  if (name == "vector") return MapVector(type);
  if (name == "list") return MapOneElement<idl::ListType>(type, /*default_arguments=*/true);
  if (name == "deque") return MapOneElement<idl::DequeType>(type, /*default_arguments=*/true);
  if (name == "set") return MapOneElement<idl::SetType>(type, /*default_arguments=*/true);
  if (name == "unordered_set") {
    return MapOneElement<idl::UnorderedSetType>(type, /*default_arguments=*/true);
  }
  if (name == "optional") {
    return MapOneElement<idl::OptionalType>(type, /*default_arguments=*/false);
  }
  if (name == "array") return MapFixedArray(type);
  if (name == "pair") return MapElements<idl::PairType>(type);
  if (name == "tuple") return MapElements<idl::TupleType>(type);
  if (name == "map") return MapKeyValue<idl::MapType>(type);
  if (name == "unordered_map") return MapKeyValue<idl::UnorderedMapType>(type);
  if (name == "span") return MapSpan(type);
  if (name == "unique_ptr" || name == "shared_ptr" || name == "weak_ptr") {
    Unsupported(type, "pass the value itself, not a smart pointer");
    return std::nullopt;
  }
  Unsupported(type);
  return std::nullopt;
}

bool TypeMapper::DefaultArguments(const LibraryType& type, unsigned required) {
  const clang::TemplateParameterList* parameters =
      type.spec->getSpecializedTemplate()->getTemplateParameters();
  llvm::ArrayRef<clang::TemplateArgument> arguments = type.spec->getTemplateArgs().asArray();
  for (unsigned i = required; i < arguments.size() && i < parameters->size(); ++i) {
    if (!clang::isSubstitutedDefaultArgument(tu_.ast, arguments[i], parameters->getParam(i),
                                             arguments, parameters->getDepth())) {
      Unsupported(type, "use the default comparator, hash and allocator of 'std::" +
                            type.spec->getName().str() + "'");
      return false;
    }
  }
  return true;
}

std::optional<idl::Type> TypeMapper::MapArgument(const LibraryType& type, std::size_t i) {
  clang::QualType argument = type.TypeArgument(i);
  if (argument.isNull()) {
    Unsupported(type);
    return std::nullopt;
  }
  return Map(argument, type.use, type.outer, Site::kValue);
}

// std::chrono::time_point of the system clock, whatever its duration: a calendar time.
std::optional<idl::Type> TypeMapper::MapTimePoint(const LibraryType& type) {
  if (type.spec->getName() != "time_point") {
    Unsupported(type);
    return std::nullopt;
  }
  clang::QualType clock = type.TypeArgument(0);
  const clang::CXXRecordDecl* clock_record =
      clock.isNull() ? nullptr : clock->getAsCXXRecordDecl();
  if (clock_record == nullptr || clock_record->getName() != "system_clock" ||
      !IsInNamespace(*clock_record, "std", "chrono")) {
    Unsupported(type,
                "use std::chrono::system_clock::time_point (other clocks have no "
                "calendar time)");
    return std::nullopt;
  }
  clang::QualType duration = type.TypeArgument(1);
  std::string spelling =
      type.Spell("std::chrono::time_point",
                 {"std::chrono::system_clock",
                  AliasSpelling(duration, tu_.ast).value_or(Canonical(duration))});
  return idl::Type{spelling, type.canonical, idl::TimePointType{}};
}

// std::string only: other character types have no msgpack string form.
std::optional<idl::Type> TypeMapper::MapString(const LibraryType& type) {
  clang::QualType character = type.TypeArgument(0);
  bool is_char =
      !character.isNull() &&
      (character.getCanonicalType()->isSpecificBuiltinType(clang::BuiltinType::Char_S) ||
       character.getCanonicalType()->isSpecificBuiltinType(clang::BuiltinType::Char_U));
  if (!is_char) {
    Unsupported(type, "use std::string");
    return std::nullopt;
  }
  if (!DefaultArguments(type, 1)) return std::nullopt;
  return idl::Type{type.alias.value_or("std::string"), type.canonical, idl::StringType{}};
}

// std::vector<T>; of unsigned char (uint8_t) or std::byte it is bytes (msgpack bin).
std::optional<idl::Type> TypeMapper::MapVector(const LibraryType& type) {
  if (!DefaultArguments(type, 1)) return std::nullopt;
  clang::QualType item = type.TypeArgument(0);
  clang::QualType item_canonical = item.getCanonicalType().getUnqualifiedType();
  const clang::EnumDecl* item_enum =
      item_canonical->isEnumeralType() ? item_canonical->getAs<clang::EnumType>()->getDecl()
                                       : nullptr;
  bool is_byte =
      item_enum != nullptr && item_enum->getName() == "byte" && IsInNamespace(*item_enum, "std");
  if (item_canonical->isSpecificBuiltinType(clang::BuiltinType::UChar) || is_byte) {
    std::string item_spelling =
        AliasSpelling(item, tu_.ast).value_or(is_byte ? "std::byte" : "unsigned char");
    return idl::Type{type.Spell("std::vector", {item_spelling}), type.canonical,
                     idl::BytesType{}};
  }
  std::optional<idl::Type> element = MapArgument(type, 0);
  if (!element) return std::nullopt;
  std::string spelling = type.Spell("std::vector", {element->spelling});
  return idl::Type{spelling, type.canonical, idl::VectorType{std::move(*element)}};
}

// std::list, std::deque, std::set, std::unordered_set (with their default allocator,
// comparator and hash: `default_arguments`) and std::optional: one element type.
template <typename Kind>
std::optional<idl::Type> TypeMapper::MapOneElement(const LibraryType& type,
                                                   bool default_arguments) {
  if (default_arguments && !DefaultArguments(type, 1)) return std::nullopt;
  std::optional<idl::Type> element = MapArgument(type, 0);
  if (!element) return std::nullopt;
  std::string spelling = type.Spell("std::" + std::string(Kind::kKind), {element->spelling});
  return idl::Type{spelling, type.canonical, Kind{std::move(*element)}};
}

// std::array<T, N>.
std::optional<idl::Type> TypeMapper::MapFixedArray(const LibraryType& type) {
  std::optional<idl::Type> element = MapArgument(type, 0);
  if (!element) return std::nullopt;
  // N as written when the source spelled it as an integer, else the canonical argument.
  const clang::TemplateArgument& size_argument =
      type.arguments.size() >= 2 && type.arguments[1].getKind() == clang::TemplateArgument::Integral
          ? type.arguments[1]
          : type.spec->getTemplateArgs()[1];
  std::uint64_t size = size_argument.getAsIntegral().getZExtValue();
  std::string spelling = type.Spell("std::array", {element->spelling, std::to_string(size)});
  return idl::Type{spelling, type.canonical, idl::ArrayType{std::move(*element), size}};
}

// std::pair<A, B>, and std::tuple<...> as a result (a function's several results).
template <typename Kind>
std::optional<idl::Type> TypeMapper::MapElements(const LibraryType& type) {
  if (std::is_same_v<Kind, idl::TupleType> && type.site != Site::kResult) {
    Unsupported(type,
                "std::tuple is only a result type (a function's several results); use "
                "std::pair or a struct");
    return std::nullopt;
  }
  Kind kind;
  std::vector<std::string> spellings;
  for (std::size_t i = 0; i < type.arguments.size(); ++i) {
    std::optional<idl::Type> element = MapArgument(type, i);
    if (!element) return std::nullopt;
    spellings.push_back(element->spelling);
    kind.elements.push_back(std::move(*element));
  }
  std::string spelling = type.Spell("std::" + std::string(Kind::kKind), spellings);
  return idl::Type{spelling, type.canonical, std::move(kind)};
}

// std::map<K, V>, std::unordered_map<K, V>: a msgpack map, whose keys goray gives
// Python as str or int only.
template <typename Kind>
std::optional<idl::Type> TypeMapper::MapKeyValue(const LibraryType& type) {
  if (!DefaultArguments(type, 2)) return std::nullopt;
  std::optional<idl::Type> key = MapArgument(type, 0);
  if (!key) return std::nullopt;
  if (!key->Is<idl::StringType>() && !key->Is<idl::IntType>()) {
    Unsupported(type, "a map's key must be std::string or an integer type");
    return std::nullopt;
  }
  std::optional<idl::Type> value = MapArgument(type, 1);
  if (!value) return std::nullopt;
  std::string spelling =
      type.Spell("std::" + std::string(Kind::kKind), {key->spelling, value->spelling});
  return idl::Type{spelling, type.canonical, Kind{std::move(*key), std::move(*value)}};
}

// std::span<const T> with a dynamic extent: a 1-D borrowed array (goray_types.cpp).
std::optional<idl::Type> TypeMapper::MapSpan(const LibraryType& type) {
  const clang::TemplateArgument& extent = type.spec->getTemplateArgs()[1];
  if (extent.getKind() != clang::TemplateArgument::Integral ||
      !extent.getAsIntegral().isAllOnes()) {
    std::string item = Print(type.TypeArgument(0).getLocalUnqualifiedType());
    Unsupported(type,
                "a std::span parameter must have a dynamic extent: take std::span<const " + item +
                    "> and check its size in the task");
    return std::nullopt;
  }
  return MapArray(type, idl::ArrayForm::kSpan, type.TypeArgument(0));
}

}  // namespace goray::scan
