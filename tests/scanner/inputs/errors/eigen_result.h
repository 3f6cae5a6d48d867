#include <goray/annotations.h>
// A stand-in for <Eigen/Core>'s vectors.
namespace Eigen {
template <class Scalar, int Rows, int Cols, int Options = 0, int MaxRows = Rows,
          int MaxCols = Cols>
class Matrix {
 private:
  Scalar* storage_;
};
using VectorXf = Matrix<float, -1, 1>;
}  // namespace Eigen
struct GORAY_TASKS Tasks {
  Eigen::VectorXf Ones(int n);
};
