#include <goray/annotations.h>
// A stand-in for <Eigen/Core>: Eigen's class templates, private storage.
namespace Eigen {
template <class Scalar, int Rows, int Cols, int Options = 0, int MaxRows = Rows,
          int MaxCols = Cols>
class Matrix {
 public:
  Scalar* data();

 private:
  Scalar* storage_;
};
using MatrixXd = Matrix<double, -1, -1>;
}  // namespace Eigen
struct GORAY_TASKS Tasks {
  double Trace(const Eigen::MatrixXd& m);
};
