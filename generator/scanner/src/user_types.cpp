// The user's structs and enums (docs/idl.md, "Structs", "Enums"): each one a signature
// reaches is checked (a definition, public fields, names generated code can spell),
// recorded in the model once under its qualified name, and referred to by that name from
// the type objects. A type refused is remembered, so that it is reported once.
#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/Basic/SourceManager.h>
#include <llvm/ADT/APSInt.h>

#include "display_name.h"
#include "doc_comments.h"
#include "naming.h"
#include "type_mapper.h"

namespace goray::scan {
namespace {

// Whether `record` or a base of it has a data member (a non-public base without any is
// harmless).
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

// An enumerator's value as Clang computed it: signed or not, as its enum's type is.
std::variant<std::int64_t, std::uint64_t> EnumeratorValue(const llvm::APSInt& value) {
  if (value.isSigned()) return value.getExtValue();
  return value.getZExtValue();
}

std::string AccessWord(clang::AccessSpecifier access) {
  return access == clang::AS_protected ? "protected" : "private";
}

}  // namespace

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
  const clang::CXXRecordDecl* record = tu_.Definition(declared, use.location);
  if (record == nullptr) return reject("which is only declared here: include its definition");
  if (record->isUnion()) return reject("a union, which goray cannot pass; use a struct");
  if (record->isLambda()) return reject("a lambda, which goray cannot pass");
  if (llvm::isa<clang::ClassTemplateSpecializationDecl>(record)) {
    return reject("a class template specialization; goray structs cannot be templates: "
                  "declare a plain struct with the fields it needs and take that");
  }
  if (std::optional<std::string> why = UnnameableReason(*record)) {
    return reject("which generated code cannot name (" + *why +
                  "): declare it in a named namespace");
  }

  in_progress_.insert(name);
  std::vector<idl::Field> fields;
  std::set<std::string> field_names;
  std::set<const clang::CXXRecordDecl*> visited;
  bool ok = Fields(*record, name, fields, field_names, visited);
  in_progress_.erase(name);
  if (!ok) {
    tu_.model.rejected_types.insert(name);
    return std::nullopt;
  }
  WarnIfUnscanned(*record, name, use);
  tu_.model.structs[name] = idl::Struct{name, std::move(fields), DocComment(*record, tu_.ast),
                                        tu_.locator.PositionOf(record->getLocation())};
  return name;
}

bool TypeMapper::Fields(const clang::CXXRecordDecl& record, const std::string& struct_name,
                        std::vector<idl::Field>& fields, std::set<std::string>& field_names,
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
    std::optional<idl::Type> mapped = Value(type, TypeUse{what, field->getLocation()});
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
    fields.push_back(
        idl::Field{field_name, std::move(*mapped), class_name, DocComment(*field, tu_.ast)});
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
  std::optional<idl::Type> underlying_type =
      Value(underlying, TypeUse{"the underlying type of enum '" + Display(name) + "'",
                                definition->getLocation()});
  if (!underlying_type) {
    tu_.model.rejected_types.insert(name);
    return std::nullopt;
  }
  std::vector<idl::Enumerator> enumerators;
  for (const clang::EnumConstantDecl* enumerator : definition->enumerators()) {
    enumerators.push_back(idl::Enumerator{enumerator->getName().str(),
                                          EnumeratorValue(enumerator->getInitVal()),
                                          DocComment(*enumerator, tu_.ast)});
  }
  WarnIfUnscanned(*definition, name, use);
  tu_.model.enums[name] = idl::Enum{name,
                                    definition->isScoped(),
                                    std::move(*underlying_type),
                                    std::move(enumerators),
                                    DocComment(*definition, tu_.ast),
                                    tu_.locator.PositionOf(definition->getLocation())};
  return name;
}

}  // namespace goray::scan
