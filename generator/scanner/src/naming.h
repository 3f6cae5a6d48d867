// How the IDL names C++ entities: fully qualified with a leading "::" for user types and
// functions ("::geo::Point"), as generated code (in its own namespace) must spell them.
#pragma once

#include <optional>
#include <string>

#include <llvm/ADT/StringRef.h>

namespace clang {
class ASTContext;
class Decl;
class FunctionDecl;
class NamedDecl;
class QualType;
class TypeDecl;
}  // namespace clang

namespace goray::scan {

// "::geo::Point", "::Tasks::Result", "::Base<int>".
std::string QualifiedTypeName(const clang::TypeDecl& type, const clang::ASTContext& ast);
// "::Driver", "::app::Main", "::Tasks::Run".
std::string QualifiedFunctionName(const clang::FunctionDecl& function);
// Why generated code cannot name `decl` (in an anonymous namespace, local to a function,
// unnamed, a non-public member, inside a template); nullopt when it can.
std::optional<std::string> UnnameableReason(const clang::NamedDecl& decl);
// Whether `decl` is inside namespace `outer` (inline namespaces skipped), optionally in
// its nested namespace `inner` ("std", "chrono").
bool IsInNamespace(const clang::Decl& decl, llvm::StringRef outer, llvm::StringRef inner = {});
// The name of the system typedef or alias at the top of `type`'s sugar ("int64_t",
// "std::string", "std::chrono::system_clock::time_point"); the user's own aliases are
// looked through (generated code may not see them). nullopt when the type is not spelled
// through a nameable system alias.
std::optional<std::string> AliasSpelling(clang::QualType type, const clang::ASTContext& ast);

}  // namespace goray::scan
