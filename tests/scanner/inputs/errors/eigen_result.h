#include <goray/annotations.h>
// A stand-in for <Eigen/Core>'s vectors and Ref.
namespace Eigen {
template <class Scalar, int Rows, int Cols, int Options = 0, int MaxRows = Rows,
          int MaxCols = Cols>
class Matrix {
 private:
  Scalar* storage_;
};
template <int Outer = -1>
class OuterStride {};
template <class Plain, int Options = 0, class Stride = OuterStride<>>
class Ref {};
using VectorXf = Matrix<float, -1, 1>;
}  // namespace Eigen
struct GORAY_TASKS Tasks {
  Eigen::Ref<const Eigen::VectorXf> Ones(int n);
};
