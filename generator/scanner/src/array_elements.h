// The element types of goray::Array<T>, goray::ArrayView<T> and std::span<const T>
// parameters: how the IDL spells each (integers by their fixed-width name) and its
// NumPy dtype. Other element types are refused (docs/scanner-rules.md, "Errors").
#pragma once

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class QualType;
}  // namespace clang

namespace goray::scan {

struct ArrayElement {
  std::string spelling;  // "double", "int32_t", "std::complex<float>", "bool"
  std::string dtype;     // "float64", "int32", "complex64", "bool"
};

// The message text listing what an element may be.
inline constexpr const char* kArrayElements =
    "bool, an integer of 8, 16, 32 or 64 bits (not char), float, double, "
    "std::complex<float> or std::complex<double>";

// `element` (cv-qualifiers not allowed) as an array element; nullopt when NumPy has no
// dtype goray maps it to.
std::optional<ArrayElement> ArrayElementOf(clang::QualType element,
                                           const clang::ASTContext& ast);

}  // namespace goray::scan
