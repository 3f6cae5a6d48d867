#include <goray/annotations.h>
// A stand-in for <Eigen/SparseCore>: the scanner reads Eigen's classes by name.
namespace Eigen {
template <class Scalar, int Options = 0, class StorageIndex = int>
class SparseMatrix {
 public:
  Scalar* valuePtr();

 private:
  Scalar* values_;
};
using SparseMatrixXd = SparseMatrix<double>;
}  // namespace Eigen
struct GORAY_TASKS Tasks {
  double Trace(const Eigen::SparseMatrixXd& m);
};
