// Array element types -> their IDL spelling and NumPy dtype.
#include "array_elements.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>

#include "integer_kinds.h"
#include "naming.h"

namespace goray::scan {
namespace {

// "int64_t" when `type` is the type <cstdint> names so on this target, else clang's
// name ("long long" is 64 bits but not int64_t on LP64 Linux): generated code must
// spell the exact type.
std::string IntegerSpelling(clang::QualType type, unsigned bits, bool is_signed,
                            const clang::ASTContext& ast) {
  std::string fixed = (is_signed ? "int" : "uint") + std::to_string(bits) + "_t";
  clang::QualType fixed_type = ast.getIntTypeForBitwidth(bits, is_signed);
  if (!fixed_type.isNull() && ast.hasSameType(type, fixed_type)) return fixed;
  return type.getAsString(ast.getPrintingPolicy());
}

}  // namespace

std::optional<ArrayElement> ArrayElementOf(clang::QualType element,
                                           const clang::ASTContext& ast) {
  clang::QualType canonical = element.getCanonicalType();
  if (canonical.hasQualifiers()) return std::nullopt;
  if (const auto* builtin = llvm::dyn_cast<clang::BuiltinType>(canonical.getTypePtr())) {
    if (IsStandardInteger(builtin->getKind(), /*plain_char=*/false)) {
      auto bits = static_cast<unsigned>(ast.getTypeSize(canonical));
      if (bits != 8 && bits != 16 && bits != 32 && bits != 64) return std::nullopt;
      bool is_signed = canonical->isSignedIntegerType();
      return ArrayElement{IntegerSpelling(canonical, bits, is_signed, ast),
                          (is_signed ? "int" : "uint") + std::to_string(bits)};
    }
    switch (builtin->getKind()) {
      case clang::BuiltinType::Bool:
        return ArrayElement{"bool", "bool"};
      case clang::BuiltinType::Float:
        return ArrayElement{"float", "float32"};
      case clang::BuiltinType::Double:
        return ArrayElement{"double", "float64"};
      default:
        return std::nullopt;
    }
  }
  const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
      canonical->getAsCXXRecordDecl());
  if (spec == nullptr || spec->getName() != "complex" || !IsInNamespace(*spec, "std") ||
      spec->getTemplateArgs().size() != 1 ||
      spec->getTemplateArgs()[0].getKind() != clang::TemplateArgument::Type) {
    return std::nullopt;
  }
  clang::QualType part = spec->getTemplateArgs()[0].getAsType().getCanonicalType();
  if (part->isSpecificBuiltinType(clang::BuiltinType::Float)) {
    return ArrayElement{"std::complex<float>", "complex64"};
  }
  if (part->isSpecificBuiltinType(clang::BuiltinType::Double)) {
    return ArrayElement{"std::complex<double>", "complex128"};
  }
  return std::nullopt;
}

}  // namespace goray::scan
