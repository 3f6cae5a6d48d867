// goray's own types (docs/types.md): goray::Value, the NumPy arrays (goray::Array,
// goray::ArrayView, and std::span<const T> from standard_types.cpp), the string and binary
// columns (goray::StringColumn and its kin), goray::Generator, and
// the refs and handles (goray::ObjectRef, goray::Future, goray::ActorHandle,
// goray::ActorHandleOf). Any other class of namespace goray is refused.
#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>

#include "array_elements.h"
#include "naming.h"
#include "type_mapper.h"

namespace goray::scan {
namespace {

// Whether `type` is goray's template `name` with one type argument.
bool IsOneTypeTemplate(const clang::ClassTemplateSpecializationDecl* spec, llvm::StringRef name) {
  return spec != nullptr && spec->getName() == name && spec->getTemplateArgs().size() == 1 &&
         spec->getTemplateArgs()[0].getKind() == clang::TemplateArgument::Type;
}

}  // namespace

std::optional<idl::Type> TypeMapper::MapGoray(const LibraryType& type) {
  // goray::detail and other nested namespaces hold nothing a user passes.
  if (IsInNamespace(type.record, "goray")) {
    if (type.record.getName() == "Value") {
      return idl::Type{type.alias.value_or("goray::Value"), type.canonical, idl::ValueType{}};
    }
    if (IsOneTypeTemplate(type.spec, "Array")) {
      return MapArray(type, idl::ArrayForm::kArray, type.arguments[0].getAsType());
    }
    if (IsOneTypeTemplate(type.spec, "ArrayView")) {
      return MapArray(type, idl::ArrayForm::kView, type.arguments[0].getAsType());
    }
    if (IsOneTypeTemplate(type.spec, "Generator")) return MapGenerator(type);
    if (IsOneTypeTemplate(type.spec, "BasicColumn")) return MapColumn(type, /*builder=*/false);
    if (IsOneTypeTemplate(type.spec, "BasicColumnBuilder")) return MapColumn(type, /*builder=*/true);
    if (IsReference(type)) return MapReference(type);
  }
  Unsupported(type);
  return std::nullopt;
}

std::optional<idl::Type> TypeMapper::MapArray(const LibraryType& type, idl::ArrayForm form,
                                              clang::QualType element) {
  clang::QualType canonical = element.getCanonicalType();
  std::optional<ArrayElement> mapped = ArrayElementOf(canonical.getUnqualifiedType(), tu_.ast);
  // The element as the source wrote it, for messages; the IDL spells the canonical type.
  std::string shown = Print(element.getLocalUnqualifiedType());
  std::string item = mapped ? mapped->spelling : shown;
  std::string owning = "goray::Array<" + item + ">";
  // A view or span borrows the caller's memory for the call only: a parameter's own type.
  if (form != idl::ArrayForm::kArray && type.site != Site::kParameter) {
    std::string borrowed = form == idl::ArrayForm::kView ? "goray::ArrayView<" + item + ">"
                                                         : "std::span<const " + item + ">";
    Unsupported(type, "'" + borrowed + "' borrows the caller's memory for one call, so only a "
                      "parameter may be one: use " + owning);
    return std::nullopt;
  }
  if (form == idl::ArrayForm::kSpan && !canonical.isConstQualified()) {
    Unsupported(type, "arguments are read-only: take std::span<const " + shown + "> (or " +
                          owning + " to own a copy you may change)");
    return std::nullopt;
  }
  if (form != idl::ArrayForm::kSpan && canonical.hasQualifiers()) {
    Unsupported(type, "the element type must not be const or volatile: use " +
                          std::string(form == idl::ArrayForm::kArray ? "goray::Array<"
                                                                     : "goray::ArrayView<") +
                          shown + ">");
    return std::nullopt;
  }
  if (!mapped || canonical.isVolatileQualified()) {
    Unsupported(type, "an array's element type must be " + std::string(kArrayElements) +
                          ", not '" + shown + "'");
    return std::nullopt;
  }
  // Spelled by the element, whatever alias the source used (using Image = goray::Array<...>).
  std::string spelling;
  switch (form) {
    case idl::ArrayForm::kArray:
      spelling = owning;
      break;
    case idl::ArrayForm::kView:
      spelling = "goray::ArrayView<" + mapped->spelling + ">";
      break;
    case idl::ArrayForm::kSpan:
      spelling = "std::span<const " + mapped->spelling + ">";
      break;
    case idl::ArrayForm::kEigen:  // eigen_types.cpp's
    case idl::ArrayForm::kEigenRef:
    case idl::ArrayForm::kEigenMap:
      break;
  }
  return idl::Type{spelling, type.canonical,
                   idl::NdArrayType{form, mapped->spelling, mapped->dtype, std::nullopt}};
}

// goray::StringColumn, goray::BinaryColumn (a parameter's own type: it reads the caller's
// Arrow memory for the call) and their builders (values anywhere).
std::optional<idl::Type> TypeMapper::MapColumn(const LibraryType& type, bool builder) {
  const clang::CXXRecordDecl* values = type.arguments[0].getAsType()->getAsCXXRecordDecl();
  const bool text = values != nullptr && values->getName() == "StringValues";
  const std::string name = text ? "String" : "Binary";
  if (!builder && type.site != Site::kParameter) {
    Unsupported(type, "'goray::" + name + "Column' reads the caller's memory for one call, so only a "
                      "parameter may be one: use goray::" + name + "ColumnBuilder");
    return std::nullopt;
  }
  std::string spelling = "goray::" + name + (builder ? "ColumnBuilder" : "Column");
  return idl::Type{spelling, type.canonical, idl::ColumnType{text, builder}};
}

std::optional<idl::Type> TypeMapper::MapGenerator(const LibraryType& type) {
  if (type.site != Site::kResult) {
    Unsupported(type,
                "goray::Generator<T> is only the result of a task or an actor method (its items "
                "stream to the caller one by one); pass the items as a std::vector instead");
    return std::nullopt;
  }
  clang::QualType item = type.arguments[0].getAsType();
  if (item->isVoidType()) {
    Unsupported(type,
                "a generator yields values: goray::Generator<void> yields none; return void, or "
                "a goray::Generator of a value type");
    return std::nullopt;
  }
  std::optional<idl::Type> element = Map(item, type.use, type.outer, Site::kValue);
  if (!element) return std::nullopt;
  std::string spelling = "goray::Generator<" + element->spelling + ">";
  return idl::Type{spelling, type.canonical, idl::GeneratorType{std::move(*element)}};
}

bool TypeMapper::IsReference(const LibraryType& type) {
  llvm::StringRef name = type.record.getName();
  if (type.spec == nullptr) return name == "ObjectRef" || name == "ActorHandle";
  return name == "Future" || name == "ActorHandleOf";
}

std::optional<idl::Type> TypeMapper::MapReference(const LibraryType& type) {
  llvm::StringRef name = type.record.getName();
  if (name == "ObjectRef") {
    return idl::Type{"goray::ObjectRef", type.canonical, idl::ObjectRefType{}};
  }
  if (name == "ActorHandle") {
    return idl::Type{"goray::ActorHandle", type.canonical, idl::ActorHandleType{}};
  }
  if (name == "Future") return MapFuture(type);
  return MapActorHandleOf(type);
}

// goray::Future<T...>: the value the ref holds, as a result would be: none (void), one, or
// several (a tuple).
std::optional<idl::Type> TypeMapper::MapFuture(const LibraryType& type) {
  std::vector<idl::Type> elements;
  std::string spellings;
  std::string canonicals;
  for (const clang::TemplateArgument& argument : type.arguments) {
    std::optional<idl::Type> element = Map(argument.getAsType(), type.use, type.outer,
                                           Site::kValue);
    if (!element) return std::nullopt;
    spellings += (elements.empty() ? "" : ", ") + element->spelling;
    canonicals += (elements.empty() ? "" : ", ") + element->canonical;
    elements.push_back(std::move(*element));
  }
  std::optional<idl::Type> value;
  if (elements.empty()) {
    value = idl::Void();
  } else if (elements.size() == 1) {
    value = std::move(elements[0]);
  } else {
    value = idl::Type{"std::tuple<" + spellings + ">", "std::tuple<" + canonicals + ">",
                      idl::TupleType{std::move(elements)}};
  }
  return idl::Type{"goray::Future<" + spellings + ">", type.canonical,
                   idl::ObjectRefType{std::move(*value)}};
}

// goray::ActorHandleOf<Actor>: Actor is the class an actor type builds (which one is
// resolved when every file is scanned, actor_handles.h: the factory may be in another).
std::optional<idl::Type> TypeMapper::MapActorHandleOf(const LibraryType& type) {
  clang::QualType actor = type.arguments.empty()
                              ? clang::QualType()
                              : type.arguments[0].getAsType().getCanonicalType();
  const clang::CXXRecordDecl* actor_class =
      actor.isNull() ? nullptr : actor->getAsCXXRecordDecl();
  if (actor_class == nullptr || actor.hasQualifiers() ||
      IsUnderNamespace(*actor_class, "std") || IsUnderNamespace(*actor_class, "goray")) {
    Unsupported(type,
                "goray::ActorHandleOf takes the C++ class of an actor type "
                "(goray::ActorHandleOf<Counter> for an actor type building a Counter)");
    return std::nullopt;
  }
  if (std::optional<std::string> why = UnnameableReason(*actor_class)) {
    Unsupported(type, "generated code cannot name '" + Print(actor) + "' (" + *why +
                          "): declare it in a named namespace");
    return std::nullopt;
  }
  std::string class_name = QualifiedTypeName(*actor_class, tu_.ast);
  tu_.model.handle_uses.emplace(class_name,
                                HandleUse{tu_.locator.Describe(type.use.location), type.use.what});
  return idl::Type{"goray::ActorHandleOf<" + class_name + ">", type.canonical,
                   idl::ActorHandleType{class_name, std::nullopt}};
}

}  // namespace goray::scan
