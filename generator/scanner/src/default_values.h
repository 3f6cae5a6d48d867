// A parameter's C++ default argument as a value the IDL can carry (docs/idl.md,
// "default"): Python fills a skipped parameter with it when a later one is given by
// keyword. Only what Clang evaluates to a constant of the parameter's kind: an integer
// or enum, a bool, a finite float, a std::string from a string literal.
#pragma once

#include <optional>
#include <string_view>

#include "idl.h"

namespace clang {
class ASTContext;
class ParmVarDecl;
}  // namespace clang

namespace goray::scan {

// The default of `param`, or nothing when it has none or it is not such a constant.
// `kind` is the IDL kind of the parameter's value type ("int", "string", ...).
std::optional<idl::DefaultValue> ConstantDefault(const clang::ParmVarDecl& param,
                                                 std::string_view kind,
                                                 const clang::ASTContext& context);

}  // namespace goray::scan
