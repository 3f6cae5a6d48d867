// Default arguments evaluated to constants (see default_values.h).
#include "default_values.h"

#include <cmath>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <llvm/ADT/APFloat.h>
#include <llvm/Support/JSON.h>

namespace goray::scan {
namespace {

// The string literal a std::string (or std::string_view) default is built from ("world",
// std::string("x")), or null: the constructor's only argument besides defaulted ones (the
// allocator).
const clang::StringLiteral* StringSource(const clang::Expr* expr) {
  for (int depth = 0; expr != nullptr && depth < 8; ++depth) {
    expr = expr->IgnoreImplicit()->IgnoreParens();
    if (const auto* literal = llvm::dyn_cast<clang::StringLiteral>(expr)) return literal;
    if (const auto* cast = llvm::dyn_cast<clang::CXXFunctionalCastExpr>(expr)) {
      expr = cast->getSubExpr();
      continue;
    }
    const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(expr);
    if (construct == nullptr || construct->getNumArgs() == 0) return nullptr;
    for (unsigned i = 1; i < construct->getNumArgs(); ++i) {
      if (!llvm::isa<clang::CXXDefaultArgExpr>(construct->getArg(i))) return nullptr;
    }
    expr = construct->getArg(0);
  }
  return nullptr;
}

std::optional<idl::DefaultValue> StringDefault(const clang::Expr* expr) {
  const clang::StringLiteral* literal = StringSource(expr);
  if (literal == nullptr || !(literal->isOrdinary() || literal->isUTF8())) return std::nullopt;
  llvm::StringRef bytes = literal->getString();
  bytes = bytes.take_until([](char c) { return c == '\0'; });  // std::string(const char*) stops there
  if (!llvm::json::isUTF8(bytes)) return std::nullopt;  // JSON carries text only
  return bytes.str();
}

}  // namespace

std::optional<idl::DefaultValue> ConstantDefault(const clang::ParmVarDecl& param,
                                                 std::string_view kind,
                                                 const clang::ASTContext& context) {
  if (!param.hasDefaultArg() || param.hasUnparsedDefaultArg() ||
      param.hasUninstantiatedDefaultArg()) {
    return std::nullopt;
  }
  const clang::Expr* expr = param.getDefaultArg();
  if (expr == nullptr || expr->isValueDependent() || expr->isTypeDependent()) return std::nullopt;
  if (kind == "string" || kind == "string_view") return StringDefault(expr);
  if (kind == "bool") {
    bool value = false;
    if (expr->EvaluateAsBooleanCondition(value, context)) return value;
    return std::nullopt;
  }
  if (kind == "int" || kind == "enum") {
    clang::Expr::EvalResult result;
    if (!expr->EvaluateAsInt(result, context)) return std::nullopt;
    const llvm::APSInt& value = result.Val.getInt();
    if (value.isSigned()) {
      if (value.getSignificantBits() > 64) return std::nullopt;
      return std::int64_t{value.getExtValue()};
    }
    if (value.getActiveBits() > 64) return std::nullopt;
    return std::uint64_t{value.getZExtValue()};
  }
  if (kind == "float") {
    llvm::APFloat value(0.0);
    if (!expr->EvaluateAsFloat(value, context)) return std::nullopt;
    bool lost = false;
    value.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
    double number = value.convertToDouble();
    if (!std::isfinite(number)) return std::nullopt;  // JSON has no inf or nan
    return number;
  }
  return std::nullopt;
}

}  // namespace goray::scan
