// A function's signature in the IDL: each parameter mapped by the TypeMapper (with its
// default argument's value when Clang evaluates it to a constant), then the result; what
// no parameter type can say on its own (variadic, &&-qualified, a generator borrowing) is
// checked here.
#include <clang/AST/DeclCXX.h>

#include "collector.h"
#include "default_values.h"

namespace goray::scan {

std::optional<Collector::Signature> Collector::SignatureOf(const clang::FunctionDecl& function,
                                                          const std::string& owner,
                                                          bool with_result) {
  bool ok = true;
  if (function.isVariadic()) {
    tu_.reporter.Error(function.getLocation(),
                       owner + " is variadic ('...'); declare each parameter");
    ok = false;
  }
  if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(&function);
      method != nullptr && method->getRefQualifier() == clang::RQ_RValue) {
    tu_.reporter.Error(function.getLocation(),
                       owner + " is &&-qualified; goray calls it on an lvalue: remove the "
                               "&& qualifier");
    ok = false;
  }
  Signature signature;
  std::vector<const clang::ParmVarDecl*> mapped;  // the declaration of each signature.params
  for (unsigned i = 0; i < function.getNumParams(); ++i) {
    const clang::ParmVarDecl& declared = *function.getParamDecl(i);
    std::optional<idl::Param> parameter = types_.Parameter(declared, i, owner);
    if (!parameter) {
      ok = false;
      continue;
    }
    // Generated code calls with fewer arguments, so C++ evaluates a default where the
    // user wrote it; a constant one is also recorded, for Python to fill a skipped
    // parameter with when a later one is given by keyword.
    if (declared.hasDefaultArg()) {
      parameter->has_default = true;
      parameter->default_value = ConstantDefault(declared, parameter->type.KindName(), tu_.ast);
    }
    signature.params.push_back(std::move(*parameter));
    mapped.push_back(&declared);
  }
  if (with_result) {
    std::optional<idl::Type> result = types_.Result(function, owner);
    if (result) {
      if (result->Is<idl::GeneratorType>() &&
          !BorrowFreeGenerator(owner, signature.params, mapped)) {
        ok = false;
      }
      signature.result = std::move(*result);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return signature;
}

bool Collector::BorrowFreeGenerator(const std::string& owner,
                                    const std::vector<idl::Param>& params,
                                    const std::vector<const clang::ParmVarDecl*>& declared) {
  bool ok = true;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto* array = params[i].type.As<idl::NdArrayType>();
    const auto* column = params[i].type.As<idl::ColumnType>();
    const auto* vector = params[i].type.As<idl::VectorType>();
    std::string owning;
    if (array != nullptr && idl::IsBorrowed(array->form)) {
      owning = array->eigen ? array->eigen->spelling : "goray::Array<" + array->element + ">";
    } else if (params[i].type.Is<idl::StringViewType>()) {
      owning = "std::string";
    } else if (column != nullptr && !column->builder) {
      owning = column->text ? "goray::StringColumnBuilder" : "goray::BinaryColumnBuilder";
    } else if (vector != nullptr && vector->element->spelling.find("string_view") != std::string::npos) {
      owning = "std::vector<std::string>";
    } else {
      continue;
    }
    tu_.reporter.Error(declared[i]->getLocation(),
                       "parameter '" + params[i].name + "' of " + owner +
                           " borrows the caller's memory ('" + params[i].type.spelling +
                           "'), but " + owner +
                           " is a generator, whose body runs after the call has returned; "
                           "take " + owning);
    ok = false;
  }
  return ok;
}

}  // namespace goray::scan
