// Which clang builtin kinds are the standard integer types: the type mapper and the
// array elements must agree on them.
#pragma once

#include <clang/AST/Type.h>

namespace goray::scan {

// signed/unsigned char, short, int, long and long long; plain char only when
// `plain_char` (NumPy has no char dtype and char's signedness varies by target).
// Never bool, wchar_t or char8/16/32_t.
inline bool IsStandardInteger(clang::BuiltinType::Kind kind, bool plain_char) {
  switch (kind) {
    case clang::BuiltinType::Char_S:
    case clang::BuiltinType::Char_U:
      return plain_char;
    case clang::BuiltinType::SChar:
    case clang::BuiltinType::UChar:
    case clang::BuiltinType::Short:
    case clang::BuiltinType::UShort:
    case clang::BuiltinType::Int:
    case clang::BuiltinType::UInt:
    case clang::BuiltinType::Long:
    case clang::BuiltinType::ULong:
    case clang::BuiltinType::LongLong:
    case clang::BuiltinType::ULongLong:
      return true;
    default:
      return false;
  }
}

}  // namespace goray::scan
