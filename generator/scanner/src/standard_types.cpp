// The standard library's class templates (docs/types.md): MapStandard finds the kind by the
// template's name and hands it to that kind's function. Each one checks what goray cannot
// pass (a custom allocator or comparator, a tuple outside a result, a map key that is
// neither a string nor an integer, a duration of a floating-point count, a variant whose
// alternatives no rule tells apart), maps the arguments as values, and spells the type as
// the source did (a system alias such as std::string or std::chrono::milliseconds kept).
#include <cstdint>
#include <utility>

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>

#include "integer_kinds.h"
#include "naming.h"
#include "type_mapper.h"

namespace goray::scan {

std::optional<idl::Type> TypeMapper::MapStandard(const LibraryType& type) {
  if (type.spec == nullptr) return MapPlainStandard(type);
  llvm::StringRef name = type.spec->getName();
  if (IsInNamespace(*type.spec, "std", "chrono")) {
    return name == "duration" ? MapDuration(type) : MapTimePoint(type);
  }
  if (!IsInNamespace(*type.spec, "std")) {  // std::pmr::vector and other nested namespaces
    Unsupported(type);
    return std::nullopt;
  }
  if (name == "basic_string") return MapString(type);
  if (name == "basic_string_view") return MapStringView(type);
  if (name == "complex") return MapComplex(type);
  if (name == "variant") return MapVariant(type);
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

// The standard library's classes that are no template: std::filesystem::path, and
// std::monostate (only a variant's alternative: MapVariant takes it there).
std::optional<idl::Type> TypeMapper::MapPlainStandard(const LibraryType& type) {
  llvm::StringRef name = type.record.getName();
  if (name == "path" && IsInNamespace(type.record, "std", "filesystem")) {
    return idl::Type{"std::filesystem::path", type.canonical, idl::PathType{}};
  }
  if (name == "monostate" && IsInNamespace(type.record, "std")) {
    Unsupported(type,
                "std::monostate is only an alternative of a std::variant (the variant holding "
                "no value: None in Python); for a value that may be missing use std::optional");
    return std::nullopt;
  }
  Unsupported(type);  // std::mutex, std::thread, ...
  return std::nullopt;
}

// std::chrono::duration<Rep, Period> of an integer Rep: timedelta in Python. A floating
// count has no exact form on the wire (the runtime refuses to round one).
std::optional<idl::Type> TypeMapper::MapDuration(const LibraryType& type) {
  clang::QualType count = type.TypeArgument(0);
  clang::QualType count_canonical =
      count.isNull() ? count : count.getCanonicalType().getUnqualifiedType();
  const auto* builtin =
      count.isNull() ? nullptr : llvm::dyn_cast<clang::BuiltinType>(count_canonical.getTypePtr());
  if (builtin == nullptr || !IsStandardInteger(builtin->getKind(), /*plain_char=*/false)) {
    Unsupported(type,
                "a duration's count must be an integer type (a floating-point one has no exact "
                "form on the wire): use an integral count such as std::chrono::nanoseconds or "
                "std::chrono::milliseconds");
    return std::nullopt;
  }
  // The period as written (std::ratio<2, 4> is not std::ratio<1, 2>), aliases kept.
  const clang::CXXRecordDecl* period = type.TypeArgument(1).isNull()
                                           ? nullptr
                                           : type.TypeArgument(1)->getAsCXXRecordDecl();
  const auto* ratio = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(period);
  if (ratio == nullptr || ratio->getTemplateArgs().size() != 2 ||
      ratio->getTemplateArgs()[0].getKind() != clang::TemplateArgument::Integral ||
      ratio->getTemplateArgs()[1].getKind() != clang::TemplateArgument::Integral) {
    Unsupported(type, "a duration's period must be a std::ratio");
    return std::nullopt;
  }
  std::string count_spelling =
      AliasSpelling(count, tu_.ast).value_or(builtin->getName(tu_.message_policy).str());
  auto ratio_part = [&](unsigned i) {
    return std::to_string(ratio->getTemplateArgs()[i].getAsIntegral().getExtValue());
  };
  std::string period_spelling =
      AliasSpelling(type.TypeArgument(1), tu_.ast)
          .value_or("std::ratio<" + ratio_part(0) + ", " + ratio_part(1) + ">");
  std::string spelling = type.Spell("std::chrono::duration", {count_spelling, period_spelling});
  return idl::Type{spelling, type.canonical, idl::DurationType{}};
}

// std::string_view (of char): a parameter's own type (valid for the call: it reads the
// request's bytes) or a result (copied out as a str). Stored anywhere else it would
// outlive what it views.
std::optional<idl::Type> TypeMapper::MapStringView(const LibraryType& type) {
  clang::QualType character = type.TypeArgument(0);
  bool is_char =
      !character.isNull() &&
      (character.getCanonicalType()->isSpecificBuiltinType(clang::BuiltinType::Char_S) ||
       character.getCanonicalType()->isSpecificBuiltinType(clang::BuiltinType::Char_U));
  if (!is_char) {
    Unsupported(type, "use std::string_view or std::string");
    return std::nullopt;
  }
  if (!DefaultArguments(type, 1)) return std::nullopt;
  if (type.site == Site::kValue) {
    Unsupported(type,
                "std::string_view views memory it does not own, so only a parameter (by value "
                "or const reference), a parameter's std::vector or a result may be one: use "
                "std::string");
    return std::nullopt;
  }
  return idl::Type{type.alias.value_or("std::string_view"), type.canonical,
                   idl::StringViewType{}};
}

// std::complex<float> or std::complex<double>: complex in Python.
std::optional<idl::Type> TypeMapper::MapComplex(const LibraryType& type) {
  clang::QualType part = type.TypeArgument(0);
  clang::QualType canonical = part.isNull() ? part : part.getCanonicalType();
  std::uint64_t bits = 0;
  if (!canonical.isNull() && !canonical.hasQualifiers()) {
    if (canonical->isSpecificBuiltinType(clang::BuiltinType::Float)) bits = 32;
    if (canonical->isSpecificBuiltinType(clang::BuiltinType::Double)) bits = 64;
  }
  if (bits == 0) {
    Unsupported(type, "use std::complex<float> or std::complex<double>");
    return std::nullopt;
  }
  std::string spelling =
      type.Spell("std::complex", {bits == 32 ? std::string("float") : std::string("double")});
  return idl::Type{spelling, type.canonical, idl::ComplexType{bits}};
}

namespace {

// The values that pick an alternative when a variant is decoded: the runtime reads the
// value's msgpack kind and takes the alternative of that class (VariantClassOf in
// runtime/include/goray/detail/value_exts.h, which these classes must match). `reads` says
// what the class is read from, for messages.
struct AlternativeClass {
  std::string_view name;
  std::string_view reads;
};

std::optional<AlternativeClass> ClassOf(const idl::Type& alternative) {
  return std::visit(
      [](const auto& kind) -> std::optional<AlternativeClass> {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<Kind, idl::MonostateType>) {
          return AlternativeClass{"nil", "nil (None)"};
        } else if constexpr (std::is_same_v<Kind, idl::BoolType>) {
          return AlternativeClass{"bool", "a msgpack bool"};
        } else if constexpr (std::is_same_v<Kind, idl::IntType> ||
                             std::is_same_v<Kind, idl::EnumType>) {
          return AlternativeClass{"integer", "a msgpack integer (integers and enums)"};
        } else if constexpr (std::is_same_v<Kind, idl::FloatType>) {
          return AlternativeClass{"float", "a msgpack float"};
        } else if constexpr (std::is_same_v<Kind, idl::ComplexType>) {
          return AlternativeClass{"complex", "a complex number"};
        } else if constexpr (std::is_same_v<Kind, idl::StringType>) {
          return AlternativeClass{"string", "a msgpack str"};
        } else if constexpr (std::is_same_v<Kind, idl::BytesType>) {
          return AlternativeClass{"bytes", "a msgpack bin"};
        } else if constexpr (std::is_same_v<Kind, idl::PathType>) {
          return AlternativeClass{"path", "a path"};
        } else if constexpr (std::is_same_v<Kind, idl::DurationType>) {
          return AlternativeClass{"duration", "a duration"};
        } else if constexpr (std::is_same_v<Kind, idl::TimePointType>) {
          return AlternativeClass{"time", "a msgpack timestamp"};
        } else if constexpr (std::is_same_v<Kind, idl::VectorType> ||
                             std::is_same_v<Kind, idl::ListType> ||
                             std::is_same_v<Kind, idl::DequeType> ||
                             std::is_same_v<Kind, idl::SetType> ||
                             std::is_same_v<Kind, idl::UnorderedSetType> ||
                             std::is_same_v<Kind, idl::ArrayType> ||
                             std::is_same_v<Kind, idl::PairType>) {
          return AlternativeClass{"sequence",
                                  "a msgpack array (vectors, lists, deques, sets, std::array "
                                  "and pairs all are)"};
        } else if constexpr (std::is_same_v<Kind, idl::MapType> ||
                             std::is_same_v<Kind, idl::UnorderedMapType> ||
                             std::is_same_v<Kind, idl::StructType>) {
          return AlternativeClass{"map", "a msgpack map (maps and structs both are)"};
        } else if constexpr (std::is_same_v<Kind, idl::NdArrayType>) {
          return AlternativeClass{"array", "an n-dimensional array"};
        } else if constexpr (std::is_same_v<Kind, idl::ObjectRefType>) {
          return AlternativeClass{"object_ref", "an ObjectRef"};
        } else if constexpr (std::is_same_v<Kind, idl::ActorHandleType>) {
          return AlternativeClass{"actor_handle", "an actor handle"};
        } else {
          return std::nullopt;  // optional, value, variant: refused by MapVariant
        }
      },
      alternative.kind);
}

// Why `alternative` cannot be an alternative at all, or "".
std::string RefusedAlternative(const idl::Type& alternative) {
  if (alternative.Is<idl::OptionalType>()) {
    return "a std::variant alternative cannot be a std::optional ('" + alternative.spelling +
           "'): make std::monostate an alternative for no value";
  }
  if (alternative.Is<idl::ValueType>()) {
    return "a std::variant alternative cannot be goray::Value (it takes every value, so no "
           "other alternative would ever be picked): take goray::Value alone";
  }
  if (alternative.Is<idl::VariantType>()) {
    return "a std::variant alternative cannot be a std::variant ('" + alternative.spelling +
           "'): list its alternatives in the outer variant";
  }
  // goray/eigen.h is outside the codec the variant decoder is compiled with.
  if (const auto* array = alternative.As<idl::NdArrayType>(); array != nullptr && array->eigen) {
    return "a std::variant alternative cannot be an Eigen type ('" + alternative.spelling +
           "'): take goray::Array<" + array->element + "> there";
  }
  return "";
}

}  // namespace

// std::variant<...>: a value of any alternative, written as that alternative writes it.
// Decoding picks the alternative by the value's kind (ClassOf), so no two alternatives may
// be of one class; std::monostate is the variant holding nothing (nil, None).
std::optional<idl::Type> TypeMapper::MapVariant(const LibraryType& type) {
  idl::VariantType kind;
  std::vector<std::string> spellings;
  std::vector<AlternativeClass> classes;
  for (std::size_t i = 0; i < type.arguments.size(); ++i) {
    clang::QualType argument = type.TypeArgument(i);
    const clang::CXXRecordDecl* record =
        argument.isNull() ? nullptr : argument.getCanonicalType()->getAsCXXRecordDecl();
    std::optional<idl::Type> alternative;
    if (record != nullptr && record->getName() == "monostate" &&
        IsInNamespace(*record, "std") && !argument.getCanonicalType().hasQualifiers()) {
      alternative = idl::Type{"std::monostate", "std::monostate", idl::MonostateType{}};
    } else {
      alternative = MapArgument(type, i);
      if (!alternative) return std::nullopt;
    }
    std::string refused = RefusedAlternative(*alternative);
    if (!refused.empty()) {
      Unsupported(type, refused);
      return std::nullopt;
    }
    std::optional<AlternativeClass> found = ClassOf(*alternative);
    if (!found) {
      Unsupported(type);
      return std::nullopt;
    }
    for (std::size_t j = 0; j < classes.size(); ++j) {
      if (classes[j].name != found->name) continue;
      Unsupported(type, "its alternatives '" + kind.alternatives[j].spelling + "' and '" +
                            alternative->spelling + "' are both read from " +
                            std::string(found->reads) +
                            ": no rule can tell them apart when the variant is decoded; "
                            "keep one of them, or wrap one in a struct field");
      return std::nullopt;
    }
    classes.push_back(*found);
    spellings.push_back(alternative->spelling);
    kind.alternatives.push_back(std::move(*alternative));
  }
  std::string spelling = type.Spell("std::variant", spellings);
  return idl::Type{spelling, type.canonical, std::move(kind)};
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
  // A parameter's own vector may hold string views (or optionals of them): views of the
  // request's strs, or of a string column's rows, for the call.
  std::optional<idl::Type> element =
      type.site == Site::kParameter && !type.TypeArgument(0).isNull()
          ? Map(type.TypeArgument(0), type.use, type.outer, Site::kBorrowedElement)
          : MapArgument(type, 0);
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
  // (An optional element of a parameter's vector: see MapVector.)
  std::optional<idl::Type> element =
      std::is_same_v<Kind, idl::OptionalType> && type.site == Site::kBorrowedElement &&
              !type.TypeArgument(0).isNull()
          ? Map(type.TypeArgument(0), type.use, type.outer, Site::kBorrowedElement)
          : MapArgument(type, 0);
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
