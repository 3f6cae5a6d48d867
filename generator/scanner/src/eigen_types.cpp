// Eigen's dense types as n-d arrays (docs/types.md, "Eigen matrices"; docs/idl.md): an
// Eigen::Matrix or Eigen::Array of an array element type ("eigen") is a value anywhere;
// Eigen::Ref<const M> ("eigen_ref") and Eigen::Map<const M> ("eigen_map") with their
// default options and strides are a parameter's own type only. Generated code spells each
// by its canonical template arguments (Eigen::MatrixXd is Eigen::Matrix<double, -1, -1, 0,
// -1, -1>): the same type whatever typedef the source used. Every other class of namespace
// Eigen (sparse matrices, expressions, blocks, tensors, quaternions, ...) is refused,
// saying what to pass instead. The scanner reads Eigen's templates from the user's own
// includes; goray's runtime has the codecs (goray/eigen.h).
#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>

#include "array_elements.h"
#include "naming.h"
#include "type_mapper.h"

namespace goray::scan {
namespace {

constexpr const char* kEigenSupported =
    "goray passes Eigen::Matrix and Eigen::Array of an array element type (fixed or dynamic "
    "sizes, row- or column-major, and their typedefs: Eigen::MatrixXd, Eigen::VectorXf, "
    "Eigen::Matrix3d, Eigen::ArrayXXi, ...) anywhere a value goes, and Eigen::Ref<const M> or "
    "Eigen::Map<const M> of one as a parameter";

// `type` (canonical) as a specialization of Eigen's class template `name` (Eigen::Matrix,
// not Eigen::internal::...), else null.
const clang::ClassTemplateSpecializationDecl* EigenTemplate(clang::QualType type,
                                                            llvm::StringRef name) {
  const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
      type->getAsCXXRecordDecl());
  if (spec == nullptr || spec->getName() != name || !IsInNamespace(*spec, "Eigen")) {
    return nullptr;
  }
  return spec;
}

// Whether `type` (canonical) is Eigen::Matrix<...> or Eigen::Array<...>.
const clang::ClassTemplateSpecializationDecl* DenseTemplate(clang::QualType type) {
  const clang::ClassTemplateSpecializationDecl* spec = EigenTemplate(type, "Matrix");
  return spec != nullptr ? spec : EigenTemplate(type, "Array");
}

// Integral template argument i of `spec`, or nullopt.
std::optional<std::int64_t> IntegralArgument(const clang::ClassTemplateSpecializationDecl& spec,
                                             unsigned i) {
  const clang::TemplateArgumentList& arguments = spec.getTemplateArgs();
  if (i >= arguments.size() || arguments[i].getKind() != clang::TemplateArgument::Integral) {
    return std::nullopt;
  }
  return arguments[i].getAsIntegral().getSExtValue();
}

// The stride of an Eigen::Ref goray takes, as generated code spells it: Eigen::OuterStride<>
// (a matrix's default) or Eigen::InnerStride<1> (a vector's); nullopt for another.
std::optional<std::string> RefStride(clang::QualType stride) {
  if (const auto* outer = EigenTemplate(stride, "OuterStride")) {
    if (IntegralArgument(*outer, 0) == -1) return "Eigen::OuterStride<-1>";
  }
  if (const auto* inner = EigenTemplate(stride, "InnerStride")) {
    if (IntegralArgument(*inner, 0) == 1) return "Eigen::InnerStride<1>";
  }
  return std::nullopt;
}

// Whether `stride` is Eigen::Stride<0, 0>, an Eigen::Map's default (contiguous).
bool DefaultMapStride(clang::QualType stride) {
  const auto* spec = EigenTemplate(stride, "Stride");
  return spec != nullptr && IntegralArgument(*spec, 0) == 0 && IntegralArgument(*spec, 1) == 0;
}

// What to pass instead of Eigen's class `name` that goray does not pass.
std::string EigenAdvice(llvm::StringRef name) {
  if (name.starts_with("Sparse")) {
    return "Eigen's sparse matrices are not supported; pass the CSR arrays (values, inner "
           "indices, outer starts) as goray::ArrayView/std::vector and rebuild with "
           "Eigen::Map<SparseMatrix>";
  }
  if (name.starts_with("Tensor")) {
    return "Eigen::Tensor is not supported; pass a goray::Array<T> (n-dimensional) and read "
           "it with Eigen::TensorMap";
  }
  if (name == "Quaternion") {
    return "Eigen::Quaternion is not supported; pass its coefficients, q.coeffs() (an "
           "Eigen::Vector4: x, y, z, w), and rebuild it with Eigen::Quaternion(v)";
  }
  if (name == "Transform" || name == "AngleAxis" || name == "Rotation2D" ||
      name == "Translation") {
    return "Eigen's geometry classes are not supported; pass their matrix() (an "
           "Eigen::Matrix) and rebuild them from it";
  }
  return std::string("only Eigen's dense Matrix and Array types cross (an expression, a "
                     "Block, a view or a decomposition does not): evaluate it into one "
                     "(.eval(), or assign it to an Eigen::MatrixXd); ") +
         kEigenSupported;
}

}  // namespace

std::optional<TypeMapper::EigenDense> TypeMapper::Dense(
    const clang::ClassTemplateSpecializationDecl& spec, const LibraryType& type) {
  const clang::TemplateArgumentList& arguments = spec.getTemplateArgs();
  std::optional<std::int64_t> rows = IntegralArgument(spec, 1);
  std::optional<std::int64_t> cols = IntegralArgument(spec, 2);
  std::optional<std::int64_t> options = IntegralArgument(spec, 3);
  std::optional<std::int64_t> max_rows = IntegralArgument(spec, 4);
  std::optional<std::int64_t> max_cols = IntegralArgument(spec, 5);
  if (arguments.size() != 6 || arguments[0].getKind() != clang::TemplateArgument::Type ||
      !rows || !cols || !options || !max_rows || !max_cols) {
    Unsupported(type, kEigenSupported);
    return std::nullopt;
  }
  clang::QualType scalar = arguments[0].getAsType().getCanonicalType();
  std::optional<ArrayElement> element = ArrayElementOf(scalar, tu_.ast);
  if (!element) {
    Unsupported(type, "an Eigen matrix's scalar must be an array element type (" +
                          std::string(kArrayElements) + "), not '" + Print(scalar) + "'");
    return std::nullopt;
  }
  bool is_array = spec.getName() == "Array";
  std::string spelling = std::string(is_array ? "Eigen::Array<" : "Eigen::Matrix<") +
                         element->spelling + ", " + std::to_string(*rows) + ", " +
                         std::to_string(*cols) + ", " + std::to_string(*options) + ", " +
                         std::to_string(*max_rows) + ", " + std::to_string(*max_cols) + ">";
  constexpr std::int64_t kRowMajor = 0x1;  // Eigen::RowMajor
  return EigenDense{idl::EigenShape{is_array, *rows, *cols, (*options & kRowMajor) != 0,
                                    std::move(spelling)},
                    element->spelling, element->dtype};
}

std::optional<idl::Type> TypeMapper::MapEigen(const LibraryType& type) {
  llvm::StringRef name = type.record.getName();
  if (type.spec != nullptr && IsInNamespace(type.record, "Eigen")) {
    if (name == "Matrix" || name == "Array") {
      std::optional<EigenDense> dense = Dense(*type.spec, type);
      if (!dense) return std::nullopt;
      std::string spelling = dense->shape.spelling;
      return idl::Type{spelling, type.canonical,
                       idl::NdArrayType{idl::ArrayForm::kEigen, dense->element, dense->dtype,
                                        std::move(dense->shape)}};
    }
    if (name == "Ref") return MapEigenBorrowed(type, idl::ArrayForm::kEigenRef);
    if (name == "Map") return MapEigenBorrowed(type, idl::ArrayForm::kEigenMap);
  }
  Unsupported(type, EigenAdvice(name));
  return std::nullopt;
}

std::optional<idl::Type> TypeMapper::MapEigenBorrowed(const LibraryType& type,
                                                      idl::ArrayForm form) {
  std::string templ = form == idl::ArrayForm::kEigenRef ? "Eigen::Ref" : "Eigen::Map";
  // M as the source wrote it, for messages ("Eigen::MatrixXd").
  clang::QualType written = type.TypeArgument(0);
  clang::QualType plain = written.isNull() ? written : written.getCanonicalType();
  const clang::ClassTemplateSpecializationDecl* dense =
      plain.isNull() ? nullptr : DenseTemplate(plain);
  if (dense == nullptr) {
    Unsupported(type, templ + " of '" + (written.isNull() ? "?" : Print(written)) +
                          "' is not supported: " + kEigenSupported);
    return std::nullopt;
  }
  std::string shown = Print(written.getLocalUnqualifiedType());
  if (type.site != Site::kParameter) {
    Unsupported(type, "an " + templ + " borrows the caller's memory for one call, so it is a "
                      "parameter's type only: return or store the owning " + shown +
                      " instead");
    return std::nullopt;
  }
  if (!plain.isConstQualified()) {
    Unsupported(type, "parameters are read-only: take " + templ + "<const " + shown + ">");
    return std::nullopt;
  }
  if (plain.isVolatileQualified()) {
    Unsupported(type, "take " + templ + "<const " + shown + ">");
    return std::nullopt;
  }
  std::optional<EigenDense> mapped = Dense(*dense, type);
  if (!mapped) return std::nullopt;
  std::optional<std::int64_t> options = IntegralArgument(*type.spec, 1);
  clang::QualType stride = type.spec->getTemplateArgs().size() > 2 &&
                                   type.spec->getTemplateArgs()[2].getKind() ==
                                       clang::TemplateArgument::Type
                               ? type.spec->getTemplateArgs()[2].getAsType().getCanonicalType()
                               : clang::QualType();
  std::string tail;
  if (form == idl::ArrayForm::kEigenRef) {
    std::optional<std::string> spelled = stride.isNull() ? std::nullopt : RefStride(stride);
    if (options != 0 || !spelled) {
      Unsupported(type, "goray takes Eigen::Ref<const " + shown + "> with its default options "
                        "and stride (Eigen::OuterStride<>, or Eigen::InnerStride<1>): drop the "
                        "other arguments");
      return std::nullopt;
    }
    tail = ", 0, " + *spelled;
  } else {
    if (options != 0 || stride.isNull() || !DefaultMapStride(stride)) {
      Unsupported(type, "goray takes Eigen::Map<const " + shown + "> with its default options "
                        "and stride (contiguous): drop the other arguments, or take "
                        "Eigen::Ref<const " + shown + "> to read strided memory");
      return std::nullopt;
    }
    tail = ", 0, Eigen::Stride<0, 0>";
  }
  std::string spelling = templ + "<const " + mapped->shape.spelling + tail + ">";
  return idl::Type{spelling, type.canonical,
                   idl::NdArrayType{form, mapped->element, mapped->dtype,
                                    std::move(mapped->shape)}};
}

}  // namespace goray::scan
