// Names of types and functions as the IDL and generated code spell them.
#include "naming.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/QualTypeNames.h>
#include <clang/Basic/SourceManager.h>

namespace goray::scan {
namespace {

clang::PrintingPolicy NamePolicy(const clang::ASTContext& ast) {
  clang::PrintingPolicy policy(ast.getLangOpts());
  policy.SuppressInlineNamespace = true;
  policy.SuppressTagKeyword = true;
  policy.SuppressUnwrittenScope = true;
  return policy;
}

std::string PlainQualifiedName(const clang::NamedDecl& decl, const clang::ASTContext& ast) {
  std::string name;
  llvm::raw_string_ostream stream(name);
  decl.printQualifiedName(stream, NamePolicy(ast));
  return stream.str();
}

}  // namespace

std::string QualifiedTypeName(const clang::TypeDecl& type, const clang::ASTContext& ast) {
  clang::QualType qual_type = ast.getTypeDeclType(&type);
  return clang::TypeName::getFullyQualifiedName(qual_type, ast, NamePolicy(ast),
                                                /*WithGlobalNsPrefix=*/true);
}

std::string QualifiedFunctionName(const clang::FunctionDecl& function) {
  return "::" + PlainQualifiedName(function, function.getASTContext());
}

std::optional<std::string> UnnameableReason(const clang::NamedDecl& decl) {
  if (decl.getDeclName().isEmpty() ||
      (decl.getDeclName().isIdentifier() && decl.getName().empty())) {
    return "it has no name";
  }
  const clang::Decl* member = &decl;
  for (const clang::DeclContext* context = decl.getDeclContext(); context != nullptr;
       context = context->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context)) {
      if (ns->isAnonymousNamespace()) return "it is in an anonymous namespace";
    } else if (context->isFunctionOrMethod()) {
      return "it is local to a function";
    } else if (const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(context)) {
      if (record->getIdentifier() == nullptr) return "it is inside an unnamed class";
      if (record->isDependentContext()) return "it is inside a class template";
      if (member->getAccess() != clang::AS_public && member->getAccess() != clang::AS_none) {
        return "it is a non-public member of '" + record->getNameAsString() + "'";
      }
    }
    member = llvm::dyn_cast<clang::Decl>(context);
    if (member == nullptr) break;
  }
  return std::nullopt;
}

bool IsInNamespace(const clang::Decl& decl, llvm::StringRef outer, llvm::StringRef inner) {
  // The chain of named, non-inline namespaces around `decl`, innermost first.
  llvm::SmallVector<llvm::StringRef, 4> chain;
  for (const clang::DeclContext* context = decl.getDeclContext(); context != nullptr;
       context = context->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(context)) {
      if (!ns->isInline()) chain.push_back(ns->getName());
    } else if (!context->isTranslationUnit() && !context->isExternCContext() &&
               !context->isExternCXXContext() && !llvm::isa<clang::ExportDecl>(context)) {
      chain.push_back("");  // a class or function: not directly a namespace member
    }
  }
  if (inner.empty()) return chain.size() == 1 && chain[0] == outer;
  return chain.size() == 2 && chain[1] == outer && chain[0] == inner;
}

std::optional<std::string> AliasSpelling(clang::QualType type, const clang::ASTContext& ast) {
  const clang::SourceManager& sources = ast.getSourceManager();
  // Only the standard library's and the system's aliases are kept: a user alias may be
  // declared where generated code cannot see it (a .cpp file), so it is spelled through.
  auto spell = [&](const clang::NamedDecl& alias) -> std::optional<std::string> {
    if (UnnameableReason(alias) || !sources.isInSystemHeader(alias.getLocation())) {
      return std::nullopt;
    }
    return PlainQualifiedName(alias, ast);
  };
  for (clang::QualType current = type; !current.isNull();) {
    const clang::Type* node = current.getTypePtr();
    if (const auto* using_type = llvm::dyn_cast<clang::UsingType>(node)) {
      if (auto name = spell(*using_type->getFoundDecl())) return name;
    } else if (const auto* typedef_type = llvm::dyn_cast<clang::TypedefType>(node)) {
      if (auto name = spell(*typedef_type->getDecl())) return name;
    } else if (const auto* specialization =
                   llvm::dyn_cast<clang::TemplateSpecializationType>(node)) {
      if (!specialization->isTypeAlias()) return std::nullopt;
      current = specialization->getAliasedType();
      continue;
    } else if (llvm::isa<clang::RecordType, clang::EnumType, clang::BuiltinType>(node)) {
      return std::nullopt;
    }
    clang::QualType next = current.getSingleStepDesugaredType(ast);
    if (next == current) return std::nullopt;
    current = next;
  }
  return std::nullopt;
}

}  // namespace goray::scan
