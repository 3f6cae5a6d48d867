// The type mapping of docs/protocol.md §5, from clang's types to IDL type objects.
#include "type_mapper.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/TemplateBase.h>
#include <llvm/ADT/APSInt.h>

#include "array_elements.h"
#include "doc_comments.h"
#include "integer_kinds.h"
#include "naming.h"

namespace goray::scan {
namespace {

using nlohmann::json;

constexpr const char* kSupportedTypes =
    "use bool, an integer type, float, double, std::string, std::vector, std::array, "
    "std::list, std::deque, std::set, std::unordered_set, std::pair, std::map, "
    "std::unordered_map, std::optional, "
    "std::chrono::system_clock::time_point, goray::Value, goray::Array (goray::ArrayView or "
    "std::span<const T> for a parameter), goray::ObjectRef, goray::Future, "
    "goray::ActorHandle, goray::ActorHandleOf, an enum or a struct with public fields (and "
    "goray::Generator<T> as the result of a task or method)";

// "geo::Point" for messages, from the IDL's "::geo::Point".
std::string Display(const std::string& qualified) {
  return qualified.rfind("::", 0) == 0 ? qualified.substr(2) : qualified;
}

// Whether `decl` is in namespace `name` or in one nested in it.
bool IsUnderNamespace(const clang::Decl& decl, llvm::StringRef name) {
  const clang::NamespaceDecl* outermost = nullptr;
  for (const clang::DeclContext* context = decl.getDeclContext(); context != nullptr;
       context = context->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context)) outermost = ns;
  }
  return outermost != nullptr && outermost->getName() == name;
}

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

// Whether the arguments of `spec` from `required` on are the template's defaults
// (std::allocator, std::less, std::hash, std::char_traits, ...).
bool UsesDefaultArguments(clang::ASTContext& ast,
                          const clang::ClassTemplateSpecializationDecl& spec,
                          unsigned required) {
  const clang::TemplateParameterList* parameters =
      spec.getSpecializedTemplate()->getTemplateParameters();
  llvm::ArrayRef<clang::TemplateArgument> arguments = spec.getTemplateArgs().asArray();
  for (unsigned i = required; i < arguments.size() && i < parameters->size(); ++i) {
    if (!clang::isSubstitutedDefaultArgument(ast, arguments[i], parameters->getParam(i),
                                             arguments, parameters->getDepth())) {
      return false;
    }
  }
  return true;
}

bool HasDataMembers(const clang::CXXRecordDecl& record) {
  const clang::CXXRecordDecl* definition = record.getDefinition();
  if (definition == nullptr) return false;
  if (!definition->field_empty()) return true;
  for (const clang::CXXBaseSpecifier& base : definition->bases()) {
    const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl();
    if (base_record != nullptr && HasDataMembers(*base_record)) return true;
  }
  return false;
}

std::string AccessWord(clang::AccessSpecifier access) {
  return access == clang::AS_protected ? "protected" : "private";
}

}  // namespace

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

std::optional<json> TypeMapper::Parameter(const clang::ParmVarDecl& parameter, unsigned index,
                                          const std::string& owner) {
  std::string name = parameter.getName().empty() ? "arg" + std::to_string(index)
                                                 : parameter.getName().str();
  TypeUse use{"parameter '" + name + "' of " + owner, parameter.getLocation()};
  clang::QualType declared = parameter.getType();

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

  std::string passing = "value";
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
      passing = "const_reference";
      reference_suffix = "&";
    } else {
      passing = "rvalue_reference";
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
  std::optional<json> type = Map(plain, use, plain, Site::kParameter);
  if (!type) return std::nullopt;
  if ((*type)["kind"] == "ndarray" && (*type)["form"] != "array" &&
      passing == "rvalue_reference") {
    tu_.reporter.Error(use.location, use.what + " is an rvalue reference ('" + Print(declared) +
                                         "'); take a view by value or by const reference");
    return std::nullopt;
  }
  std::string spelled = (is_const ? "const " : "") + (*type)["spelling"].get<std::string>() +
                        reference_suffix;
  return json{{"name", name}, {"declared", spelled}, {"passing", passing}, {"type", *type}};
}

std::optional<json> TypeMapper::Result(const clang::FunctionDecl& function,
                                       const std::string& owner) {
  clang::QualType result = function.getReturnType();
  clang::SourceLocation location = function.getReturnTypeSourceRange().getBegin();
  if (location.isInvalid()) location = function.getLocation();
  TypeUse use{"the result of " + owner, location};
  if (result->isVoidType()) {
    return json{{"spelling", "void"}, {"canonical", "void"}, {"kind", "void"}};
  }
  if (result->isUndeducedType()) {
    tu_.reporter.Error(use.location, use.what + " has a type that is not deduced here; "
                                                "declare the result type");
    return std::nullopt;
  }
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

std::optional<json> TypeMapper::Value(clang::QualType type, const TypeUse& use) {
  clang::QualType plain = type.getUnqualifiedType();
  return Map(plain, use, plain, Site::kValue);
}

std::optional<json> TypeMapper::Map(clang::QualType type, const TypeUse& use,
                                    clang::QualType outer, Site site) {
  clang::QualType canonical = type.getCanonicalType().getUnqualifiedType();
  std::optional<std::string> alias = AliasSpelling(type, tu_.ast);
  json object = json::object();
  object["canonical"] = Canonical(canonical);
  const clang::Type* node = canonical.getTypePtr();

  if (const auto* builtin = llvm::dyn_cast<clang::BuiltinType>(node)) {
    if (IsStandardInteger(builtin->getKind(), /*plain_char=*/true)) {
      object["kind"] = "int";
      object["bits"] = tu_.ast.getTypeSize(canonical);
      object["signed"] = canonical->isSignedIntegerType();
    } else {
      switch (builtin->getKind()) {
        case clang::BuiltinType::Bool:
          object["kind"] = "bool";
          break;
        case clang::BuiltinType::Float:
          object["kind"] = "float";
          object["bits"] = 32;
          break;
        case clang::BuiltinType::Double:
          object["kind"] = "float";
          object["bits"] = 64;
          break;
        case clang::BuiltinType::Void:
          Unsupported(use, type, outer, "void is only a result type");
          return std::nullopt;
        default:
          Unsupported(use, type, outer);
          return std::nullopt;
      }
    }
    object["spelling"] = alias.value_or(builtin->getName(tu_.message_policy).str());
    return object;
  }

  if (const auto* enum_type = llvm::dyn_cast<clang::EnumType>(node)) {
    const clang::EnumDecl& decl = *enum_type->getDecl();
    if (IsUnderNamespace(decl, "std")) {
      Unsupported(use, type, outer);
      return std::nullopt;
    }
    std::optional<std::string> name = Enum(decl, use);
    if (!name) return std::nullopt;
    object["kind"] = "enum";
    object["ref"] = *name;
    object["spelling"] = alias.value_or(*name);
    return object;
  }

  if (const auto* record_type = llvm::dyn_cast<clang::RecordType>(node)) {
    const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(record_type->getDecl());
    if (record == nullptr) {
      Unsupported(use, type, outer);
      return std::nullopt;
    }
    if (IsUnderNamespace(*record, "std")) {
      const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(record);
      if (spec == nullptr) {
        Unsupported(use, type, outer);
        return std::nullopt;
      }
      if (alias) object["spelling"] = *alias;
      return MapStandard(*spec, type, object, use, outer, site);
    }
    if (IsUnderNamespace(*record, "goray")) {
      if (IsInNamespace(*record, "goray") && record->getName() == "Value") {
        object["kind"] = "value";
        object["spelling"] = alias.value_or("goray::Value");
        return object;
      }
      const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(record);
      if (spec != nullptr && IsInNamespace(*record, "goray") &&
          (record->getName() == "Array" || record->getName() == "ArrayView") &&
          spec->getTemplateArgs().size() == 1 &&
          spec->getTemplateArgs()[0].getKind() == clang::TemplateArgument::Type) {
        return MapArray(record->getName() == "Array" ? "array" : "view",
                        SugaredArguments(type, *spec)[0].getAsType(), type, object, use, outer,
                        site);
      }
      if (spec != nullptr && IsInNamespace(*record, "goray") && record->getName() == "Generator" &&
          spec->getTemplateArgs().size() == 1 &&
          spec->getTemplateArgs()[0].getKind() == clang::TemplateArgument::Type) {
        return MapGenerator(SugaredArguments(type, *spec)[0].getAsType(), type, object, use,
                            outer, site);
      }
      if (IsInNamespace(*record, "goray")) {
        if (std::optional<json> mapped = MapReference(*record, type, object, use, outer)) {
          return mapped;
        }
        if (object.contains("kind")) return std::nullopt;  // reported
      }
      Unsupported(use, type, outer);
      return std::nullopt;
    }
    std::optional<std::string> name = Struct(*record, use);
    if (!name) return std::nullopt;
    object["kind"] = "struct";
    object["ref"] = *name;
    object["spelling"] = alias.value_or(*name);
    return object;
  }

  if (node->isAnyPointerType() || node->isMemberPointerType()) {
    Unsupported(use, type, outer,
                "pointers cannot be passed: store the values themselves");
  } else if (node->isReferenceType()) {
    Unsupported(use, type, outer, "references cannot be stored: store the values themselves");
  } else if (node->isConstantArrayType()) {
    Unsupported(use, type, outer, "use std::array instead of a C array");
  } else {
    Unsupported(use, type, outer);
  }
  return std::nullopt;
}

std::optional<json> TypeMapper::MapStandard(const clang::ClassTemplateSpecializationDecl& spec,
                                            clang::QualType written, json& object,
                                            const TypeUse& use, clang::QualType outer,
                                            Site site) {
  llvm::StringRef name = spec.getName();
  std::vector<clang::TemplateArgument> arguments = SugaredArguments(written, spec);
  auto type_argument = [&](std::size_t i) -> clang::QualType {
    if (i >= arguments.size() || arguments[i].getKind() != clang::TemplateArgument::Type) {
      return {};
    }
    return arguments[i].getAsType();
  };
  auto defaults = [&](unsigned required) {
    if (UsesDefaultArguments(tu_.ast, spec, required)) return true;
    Unsupported(use, written, outer,
                "use the default comparator, hash and allocator of 'std::" + name.str() + "'");
    return false;
  };
  // Argument i mapped as a value (nullopt: reported).
  auto map_argument = [&](std::size_t i) -> std::optional<json> {
    clang::QualType argument = type_argument(i);
    if (argument.isNull()) {
      Unsupported(use, written, outer);
      return std::nullopt;
    }
    return Map(argument, use, outer, Site::kValue);
  };
  // Maps argument i into object[key]; returns its spelling.
  auto element = [&](std::size_t i, const char* key) -> std::optional<std::string> {
    std::optional<json> mapped = map_argument(i);
    if (!mapped) return std::nullopt;
    std::string spelling = (*mapped)["spelling"];
    object[key] = std::move(*mapped);
    return spelling;
  };
  auto spell = [&](const std::string& templ, const std::vector<std::string>& parts) {
    if (object.contains("spelling")) return;
    std::string spelling = templ + "<";
    for (std::size_t i = 0; i < parts.size(); ++i) {
      spelling += (i == 0 ? "" : ", ") + parts[i];
    }
    object["spelling"] = spelling + ">";
  };

  if (IsInNamespace(spec, "std", "chrono")) {
    if (name != "time_point") {
      Unsupported(use, written, outer);
      return std::nullopt;
    }
    clang::QualType clock = type_argument(0);
    const clang::CXXRecordDecl* clock_record =
        clock.isNull() ? nullptr : clock->getAsCXXRecordDecl();
    if (clock_record == nullptr || clock_record->getName() != "system_clock" ||
        !IsInNamespace(*clock_record, "std", "chrono")) {
      Unsupported(use, written, outer,
                  "use std::chrono::system_clock::time_point (other clocks have no "
                  "calendar time)");
      return std::nullopt;
    }
    object["kind"] = "time_point";
    clang::QualType duration = type_argument(1);
    spell("std::chrono::time_point",
          {"std::chrono::system_clock",
           AliasSpelling(duration, tu_.ast).value_or(Canonical(duration))});
    return object;
  }
  if (!IsInNamespace(spec, "std")) {
    Unsupported(use, written, outer);
    return std::nullopt;
  }

  if (name == "basic_string") {
    clang::QualType character = type_argument(0);
    bool is_char = !character.isNull() &&
                   (character.getCanonicalType()->isSpecificBuiltinType(
                        clang::BuiltinType::Char_S) ||
                    character.getCanonicalType()->isSpecificBuiltinType(
                        clang::BuiltinType::Char_U));
    if (!is_char) {
      Unsupported(use, written, outer, "use std::string");
      return std::nullopt;
    }
    if (!defaults(1)) return std::nullopt;
    object["kind"] = "string";
    if (!object.contains("spelling")) object["spelling"] = "std::string";
    return object;
  }
  if (name == "vector") {
    if (!defaults(1)) return std::nullopt;
    clang::QualType item = type_argument(0);
    clang::QualType item_canonical = item.getCanonicalType().getUnqualifiedType();
    const clang::EnumDecl* item_enum =
        item_canonical->isEnumeralType() ? item_canonical->getAs<clang::EnumType>()->getDecl()
                                         : nullptr;
    bool is_byte = item_enum != nullptr && item_enum->getName() == "byte" &&
                   IsInNamespace(*item_enum, "std");
    if (item_canonical->isSpecificBuiltinType(clang::BuiltinType::UChar) || is_byte) {
      object["kind"] = "bytes";
      std::string item_spelling = AliasSpelling(item, tu_.ast)
                                      .value_or(is_byte ? "std::byte" : "unsigned char");
      spell("std::vector", {item_spelling});
      return object;
    }
    object["kind"] = "vector";
    std::optional<std::string> item_spelling = element(0, "element");
    if (!item_spelling) return std::nullopt;
    spell("std::vector", {*item_spelling});
    return object;
  }
  if (name == "list" || name == "deque" || name == "set" || name == "optional") {
    if (name != "optional" && !defaults(1)) return std::nullopt;
    object["kind"] = name.str();
    std::optional<std::string> item_spelling = element(0, "element");
    if (!item_spelling) return std::nullopt;
    spell("std::" + name.str(), {*item_spelling});
    return object;
  }
  if (name == "array") {
    object["kind"] = "array";
    std::optional<std::string> item_spelling = element(0, "element");
    if (!item_spelling) return std::nullopt;
    if (arguments.size() < 2 || arguments[1].getKind() != clang::TemplateArgument::Integral) {
      const clang::TemplateArgument& size = spec.getTemplateArgs()[1];
      arguments.resize(2);
      arguments[1] = size;
    }
    std::uint64_t size = arguments[1].getAsIntegral().getZExtValue();
    object["size"] = size;
    spell("std::array", {*item_spelling, std::to_string(size)});
    return object;
  }
  if (name == "pair" || name == "tuple") {
    if (name == "tuple" && site != Site::kResult) {
      Unsupported(use, written, outer,
                  "std::tuple is only a result type (a function's several results); use "
                  "std::pair or a struct");
      return std::nullopt;
    }
    object["kind"] = name.str();
    json elements = json::array();
    std::vector<std::string> spellings;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      std::optional<json> mapped = map_argument(i);
      if (!mapped) return std::nullopt;
      spellings.push_back((*mapped)["spelling"]);
      elements.push_back(std::move(*mapped));
    }
    object["elements"] = std::move(elements);
    spell("std::" + name.str(), spellings);
    return object;
  }
  if (name == "unordered_set") {
    if (!defaults(1)) return std::nullopt;  // std::hash, std::equal_to, std::allocator
    object["kind"] = "unordered_set";
    std::optional<std::string> item_spelling = element(0, "element");
    if (!item_spelling) return std::nullopt;
    spell("std::unordered_set", {*item_spelling});
    return object;
  }
  if (name == "map" || name == "unordered_map") {
    if (!defaults(2)) return std::nullopt;
    object["kind"] = name.str();
    std::optional<std::string> key_spelling = element(0, "key");
    if (!key_spelling) return std::nullopt;
    const std::string& key_kind = object["key"]["kind"];
    if (key_kind != "string" && key_kind != "int") {
      Unsupported(use, written, outer, "a map's key must be std::string or an integer type");
      return std::nullopt;
    }
    std::optional<std::string> value_spelling = element(1, "value");
    if (!value_spelling) return std::nullopt;
    spell("std::" + name.str(), {*key_spelling, *value_spelling});
    return object;
  }
  if (name == "span") {
    const clang::TemplateArgument& extent = spec.getTemplateArgs()[1];
    if (extent.getKind() != clang::TemplateArgument::Integral ||
        !extent.getAsIntegral().isAllOnes()) {
      std::string item = Print(type_argument(0).getLocalUnqualifiedType());
      Unsupported(use, written, outer,
                  "a std::span parameter must have a dynamic extent: take std::span<const " +
                      item + "> and check its size in the task");
      return std::nullopt;
    }
    return MapArray("span", type_argument(0), written, object, use, outer, site);
  }
  if (name == "unique_ptr" || name == "shared_ptr" || name == "weak_ptr") {
    Unsupported(use, written, outer, "pass the value itself, not a smart pointer");
    return std::nullopt;
  }
  Unsupported(use, written, outer);
  return std::nullopt;
}

std::optional<json> TypeMapper::MapReference(const clang::CXXRecordDecl& record,
                                             clang::QualType written, json& object,
                                             const TypeUse& use, clang::QualType outer) {
  llvm::StringRef name = record.getName();
  const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(&record);
  if (name == "ObjectRef" && spec == nullptr) {
    object["kind"] = "object_ref";
    object["value"] = nullptr;
    object["spelling"] = "goray::ObjectRef";
    return object;
  }
  if (name == "ActorHandle" && spec == nullptr) {
    object["kind"] = "actor_handle";
    object["class"] = nullptr;
    object["actor"] = nullptr;
    object["spelling"] = "goray::ActorHandle";
    return object;
  }
  if (spec == nullptr || (name != "Future" && name != "ActorHandleOf")) return std::nullopt;
  std::vector<clang::TemplateArgument> arguments = SugaredArguments(written, *spec);
  if (name == "Future") {
    // The value the ref holds, as a result would be: none, one, or several (a tuple).
    json elements = json::array();
    std::vector<std::string> spellings;
    for (const clang::TemplateArgument& argument : arguments) {
      std::optional<json> mapped = Map(argument.getAsType(), use, outer, Site::kValue);
      if (!mapped) {
        object["kind"] = "object_ref";
        return std::nullopt;
      }
      spellings.push_back((*mapped)["spelling"]);
      elements.push_back(std::move(*mapped));
    }
    std::string joined;
    for (std::size_t i = 0; i < spellings.size(); ++i) joined += (i ? ", " : "") + spellings[i];
    json value;
    if (elements.empty()) {
      value = {{"spelling", "void"}, {"canonical", "void"}, {"kind", "void"}};
    } else if (elements.size() == 1) {
      value = std::move(elements[0]);
    } else {
      std::string canonical;
      for (std::size_t i = 0; i < elements.size(); ++i) {
        canonical += (i ? ", " : "") + elements[i]["canonical"].get<std::string>();
      }
      value = {{"spelling", "std::tuple<" + joined + ">"},
               {"canonical", "std::tuple<" + canonical + ">"},
               {"kind", "tuple"},
               {"elements", std::move(elements)}};
    }
    object["kind"] = "object_ref";
    object["value"] = std::move(value);
    object["spelling"] = "goray::Future<" + joined + ">";
    return object;
  }
  // goray::ActorHandleOf<Actor>: Actor is the class an actor type builds (which one is
  // resolved when every file is scanned: the factory may be in another).
  object["kind"] = "actor_handle";
  clang::QualType actor =
      arguments.empty() ? clang::QualType() : arguments[0].getAsType().getCanonicalType();
  const clang::CXXRecordDecl* actor_class =
      actor.isNull() ? nullptr : actor->getAsCXXRecordDecl();
  if (actor_class == nullptr || actor.hasQualifiers() ||
      IsUnderNamespace(*actor_class, "std") || IsUnderNamespace(*actor_class, "goray")) {
    Unsupported(use, written, outer,
                "goray::ActorHandleOf takes the C++ class of an actor type "
                "(goray::ActorHandleOf<Counter> for an actor type building a Counter)");
    return std::nullopt;
  }
  if (std::optional<std::string> why = UnnameableReason(*actor_class)) {
    Unsupported(use, written, outer,
                "generated code cannot name '" + Print(actor) + "' (" + *why +
                    "): declare it in a named namespace");
    return std::nullopt;
  }
  std::string class_name = QualifiedTypeName(*actor_class, tu_.ast);
  object["class"] = class_name;
  object["actor"] = nullptr;  // set by ResolveActorHandles
  object["spelling"] = "goray::ActorHandleOf<" + class_name + ">";
  tu_.model.handle_uses.emplace(class_name,
                                HandleUse{tu_.locator.Describe(use.location), use.what});
  return object;
}

std::optional<json> TypeMapper::MapGenerator(clang::QualType item, clang::QualType written,
                                             json& object, const TypeUse& use,
                                             clang::QualType outer, Site site) {
  if (site != Site::kResult) {
    Unsupported(use, written, outer,
                "goray::Generator<T> is only the result of a task or an actor method (its items "
                "stream to the caller one by one); pass the items as a std::vector instead");
    return std::nullopt;
  }
  if (item->isVoidType()) {
    Unsupported(use, written, outer,
                "a generator yields values: goray::Generator<void> yields none; return void, or "
                "a goray::Generator of a value type");
    return std::nullopt;
  }
  std::optional<json> element = Map(item, use, outer, Site::kValue);
  if (!element) return std::nullopt;
  object["kind"] = "generator";
  object["spelling"] = "goray::Generator<" + (*element)["spelling"].get<std::string>() + ">";
  object["element"] = std::move(*element);
  return object;
}

std::optional<json> TypeMapper::MapArray(const std::string& form, clang::QualType element,
                                         clang::QualType written, json& object,
                                         const TypeUse& use, clang::QualType outer, Site site) {
  clang::QualType canonical = element.getCanonicalType();
  std::optional<ArrayElement> mapped =
      ArrayElementOf(canonical.getUnqualifiedType(), tu_.ast);
  // The element as the source wrote it, for messages; the IDL spells the canonical type.
  std::string shown = Print(element.getLocalUnqualifiedType());
  std::string item = mapped ? mapped->spelling : shown;
  std::string owning = "goray::Array<" + item + ">";
  if (form != "array" && site != Site::kParameter) {
    std::string borrowed =
        form == "view" ? "goray::ArrayView<" + item + ">" : "std::span<const " + item + ">";
    Unsupported(use, written, outer,
                "'" + borrowed + "' borrows the caller's memory for one call, so only a "
                "parameter may be one: use " + owning);
    return std::nullopt;
  }
  if (form == "span" && !canonical.isConstQualified()) {
    Unsupported(use, written, outer,
                "arguments are read-only: take std::span<const " + shown + "> (or " + owning +
                    " to own a copy you may change)");
    return std::nullopt;
  }
  if (form != "span" && canonical.hasQualifiers()) {
    Unsupported(use, written, outer,
                "the element type must not be const or volatile: use " +
                    std::string(form == "array" ? "goray::Array<" : "goray::ArrayView<") +
                    shown + ">");
    return std::nullopt;
  }
  if (!mapped || canonical.isVolatileQualified()) {
    Unsupported(use, written, outer,
                "an array's element type must be " + std::string(kArrayElements) + ", not '" +
                    shown + "'");
    return std::nullopt;
  }
  object["kind"] = "ndarray";
  object["form"] = form;
  object["element"] = mapped->spelling;
  object["dtype"] = mapped->dtype;
  if (form == "array") {
    object["spelling"] = owning;
  } else if (form == "view") {
    object["spelling"] = "goray::ArrayView<" + mapped->spelling + ">";
  } else {
    object["spelling"] = "std::span<const " + mapped->spelling + ">";
  }
  return object;
}

std::optional<std::string> TypeMapper::Struct(const clang::CXXRecordDecl& declared,
                                              const TypeUse& use) {
  std::string name = QualifiedTypeName(declared, tu_.ast);
  if (tu_.model.structs.count(name) != 0 || in_progress_.count(name) != 0) return name;
  if (tu_.model.rejected_types.count(name) != 0) return std::nullopt;
  auto reject = [&](const std::string& why) -> std::optional<std::string> {
    tu_.reporter.Error(use.location, use.what + " uses '" + Display(name) + "', " + why);
    tu_.reporter.Note(declared.getLocation(), "'" + Display(name) + "' is declared here");
    tu_.model.rejected_types.insert(name);
    return std::nullopt;
  };
  const clang::CXXRecordDecl* record = declared.getDefinition();
  if (record == nullptr) return reject("which is only declared here: include its definition");
  if (record->isUnion()) return reject("a union, which goray cannot pass; use a struct");
  if (record->isLambda()) return reject("a lambda, which goray cannot pass");
  if (llvm::isa<clang::ClassTemplateSpecializationDecl>(record)) {
    return reject("a class template specialization; goray structs cannot be templates: "
                  "declare a plain struct");
  }
  if (std::optional<std::string> why = UnnameableReason(*record)) {
    return reject("which generated code cannot name (" + *why +
                  "): declare it in a named namespace");
  }

  in_progress_.insert(name);
  json fields = json::array();
  std::set<std::string> field_names;
  std::set<const clang::CXXRecordDecl*> visited;
  bool ok = Fields(*record, name, fields, field_names, visited);
  in_progress_.erase(name);
  if (!ok) {
    tu_.model.rejected_types.insert(name);
    return std::nullopt;
  }
  WarnIfUnscanned(*record, name, use);
  json object = {{"name", name}, {"fields", std::move(fields)},
                 {"doc", DocComment(*record, tu_.ast)}};
  if (std::optional<Position> position = tu_.locator.PositionOf(record->getLocation())) {
    object["location"] = position->ToJson();
  }
  tu_.model.structs[name] = std::move(object);
  return name;
}

bool TypeMapper::Fields(const clang::CXXRecordDecl& record, const std::string& struct_name,
                        json& fields, std::set<std::string>& field_names,
                        std::set<const clang::CXXRecordDecl*>& visited) {
  if (!visited.insert(&record).second) return true;  // a virtual base met twice
  bool ok = true;
  for (const clang::CXXBaseSpecifier& base : record.bases()) {
    const clang::CXXRecordDecl* base_record = base.getType()->getAsCXXRecordDecl();
    if (base_record == nullptr || base_record->getDefinition() == nullptr) continue;
    base_record = base_record->getDefinition();
    if (base.getAccessSpecifier() != clang::AS_public) {
      if (HasDataMembers(*base_record)) {
        tu_.reporter.Error(base.getBeginLoc(),
                           "struct '" + Display(struct_name) + "' inherits '" +
                               base_record->getQualifiedNameAsString() +
                               "' non-publicly, so goray cannot serialize its fields; make "
                               "the base public");
        ok = false;
      }
      continue;
    }
    ok = Fields(*base_record, struct_name, fields, field_names, visited) && ok;
  }
  std::string class_name = QualifiedTypeName(record, tu_.ast);
  for (const clang::FieldDecl* field : record.fields()) {
    if (field->isUnnamedBitField()) continue;
    if (field->isAnonymousStructOrUnion() || field->getName().empty()) {
      tu_.reporter.Error(field->getLocation(),
                         "struct '" + Display(class_name) +
                             "' has an anonymous struct or union member, which goray cannot "
                             "serialize; give it a name");
      ok = false;
      continue;
    }
    std::string field_name = field->getName().str();
    std::string what = "field '" + field_name + "' of struct '" + Display(class_name) + "'";
    if (field->getAccess() != clang::AS_public) {
      tu_.reporter.Error(field->getLocation(),
                         what + " is " + AccessWord(field->getAccess()) +
                             "; goray serializes a struct by its public fields: make it "
                             "public, or pass a type whose fields are all public");
      ok = false;
      continue;
    }
    clang::QualType type = field->getType();
    if (type->isReferenceType()) {
      tu_.reporter.Error(field->getLocation(),
                         what + " is a reference ('" + Print(type) +
                             "'), which goray cannot fill in; store a value");
      ok = false;
      continue;
    }
    if (type.isConstQualified()) {
      tu_.reporter.Error(field->getLocation(),
                         what + " is const ('" + Print(type) +
                             "'), which goray cannot fill in; make it non-const");
      ok = false;
      continue;
    }
    std::optional<json> mapped = Value(type, TypeUse{what, field->getLocation()});
    if (!mapped) {
      ok = false;
      continue;
    }
    if (!field_names.insert(field_name).second) {
      tu_.reporter.Error(field->getLocation(),
                         what + " has the name of a field of a base of '" +
                             Display(struct_name) +
                             "'; goray serializes a struct as a map keyed by field name: "
                             "rename one of them");
      ok = false;
      continue;
    }
    fields.push_back({{"name", field_name},
                      {"type", std::move(*mapped)},
                      {"declaring_class", class_name},
                      {"doc", DocComment(*field, tu_.ast)}});
  }
  return ok;
}

void TypeMapper::WarnIfUnscanned(const clang::NamedDecl& decl, const std::string& name,
                                 const TypeUse& use) {
  clang::SourceLocation location = tu_.sources.getExpansionLoc(decl.getLocation());
  if (location.isInvalid() || tu_.sources.isInSystemHeader(location) ||
      tu_.locator.InScannedFile(location) ||
      tu_.sources.getIncludeLoc(tu_.sources.getFileID(location)).isInvalid()) {
    return;  // scanned, a system header's, or in the main file (a scanned source)
  }
  bool within_root = tu_.locator.PositionOf(location).has_value();
  std::string file = tu_.locator.Describe(location).file;
  std::string why_and_fix =
      within_root ? "which goray does not scan (it has no include guard, or is not a header "
                    "file): generated headers cannot name it, so no typed C++ wrapper uses "
                    "it; give '" + file + "' an include guard ('#pragma once')"
                  : "outside the sources' root '" + tu_.locator.root() +
                        "', so goray does not scan it: generated headers cannot name it, so "
                        "no typed C++ wrapper uses it; list '" + file +
                        "' among the sources (goray_add_app's SOURCES, goray-gen's inputs) "
                        "or set the root to a directory holding it";
  tu_.reporter.Warning(use.location, use.what + " uses '" + Display(name) + "', declared in '" +
                                         file + "', " + why_and_fix);
  tu_.reporter.Note(decl.getLocation(), "'" + Display(name) + "' is declared here");
}

std::optional<std::string> TypeMapper::Enum(const clang::EnumDecl& declared,
                                            const TypeUse& use) {
  std::string name = QualifiedTypeName(declared, tu_.ast);
  if (tu_.model.enums.count(name) != 0) return name;
  if (tu_.model.rejected_types.count(name) != 0) return std::nullopt;
  if (std::optional<std::string> why = UnnameableReason(declared)) {
    tu_.reporter.Error(use.location, use.what + " uses enum '" + Display(name) +
                                         "', which generated code cannot name (" + *why +
                                         "): declare it in a named namespace");
    tu_.model.rejected_types.insert(name);
    return std::nullopt;
  }
  const clang::EnumDecl* definition = declared.getDefinition();
  if (definition == nullptr) definition = &declared;
  clang::QualType underlying = definition->getIntegerType();
  if (underlying.isNull()) underlying = tu_.ast.IntTy;
  std::optional<json> underlying_type =
      Value(underlying, TypeUse{"the underlying type of enum '" + Display(name) + "'",
                                definition->getLocation()});
  if (!underlying_type) {
    tu_.model.rejected_types.insert(name);
    return std::nullopt;
  }
  json enumerators = json::array();
  for (const clang::EnumConstantDecl* enumerator : definition->enumerators()) {
    const llvm::APSInt& value = enumerator->getInitVal();
    json number = value.isSigned() ? json(value.getExtValue()) : json(value.getZExtValue());
    enumerators.push_back({{"name", enumerator->getName().str()},
                           {"value", number},
                           {"doc", DocComment(*enumerator, tu_.ast)}});
  }
  WarnIfUnscanned(*definition, name, use);
  json object = {{"name", name},
                 {"scoped", definition->isScoped()},
                 {"underlying", std::move(*underlying_type)},
                 {"enumerators", std::move(enumerators)},
                 {"doc", DocComment(*definition, tu_.ast)}};
  if (std::optional<Position> position = tu_.locator.PositionOf(definition->getLocation())) {
    object["location"] = position->ToJson();
  }
  tu_.model.enums[name] = std::move(object);
  return name;
}

}  // namespace goray::scan
