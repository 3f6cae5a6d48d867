// An Eigen library's functions as tasks, unchanged (test_gen_eigen_app.py): owning
// matrices and vectors, Ref and Map parameters, an Eigen field in a struct, fixed sizes,
// a row-major matrix and an Eigen::Array. Each records where its parameter's elements
// were, so the test can tell a copy from a read in place.
#include <goray/goray.h>

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace fit {

struct Model {
  Eigen::VectorXd weights;
  double bias = 0;
};

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace fit

struct GORAY_TASKS Linear {
  double Trace(const Eigen::MatrixXd& m) { return m.trace(); }
  Eigen::MatrixXd Transpose(const Eigen::MatrixXd& m) { return m.transpose(); }
  fit::RowMatrixXd Twice(const fit::RowMatrixXd& m) { return 2 * m; }
  Eigen::VectorXd Predict(const fit::Model& model, Eigen::Ref<const Eigen::MatrixXd> x) {
    return (x * model.weights).array() + model.bias;
  }
  double RowSum(Eigen::Map<const fit::RowMatrixXd> m) { return m.sum(); }
  // The address of the first element the task saw: in place or a copy.
  uint64_t WhereRef(Eigen::Ref<const fit::RowMatrixXd> m) {
    return reinterpret_cast<uint64_t>(m.data());
  }
  uint64_t WhereColumnRef(Eigen::Ref<const Eigen::MatrixXd> m) {
    return reinterpret_cast<uint64_t>(m.data());
  }
  Eigen::Matrix3f Rotate(const Eigen::Matrix3f& r, const Eigen::Matrix3f& m) { return r * m; }
  Eigen::ArrayXXi Clip(const Eigen::ArrayXXi& a, int32_t high) { return a.min(high); }
  Eigen::RowVectorXd Means(const Eigen::MatrixXd& m) { return m.colwise().mean(); }
  std::vector<Eigen::Vector2d> Corners(const Eigen::Vector2d& low, const Eigen::Vector2d& high) {
    return {low, Eigen::Vector2d(high.x(), low.y()), high, Eigen::Vector2d(low.x(), high.y())};
  }
  fit::Model Fitted(int64_t n) { return {Eigen::VectorXd::LinSpaced(n, 0, 1), 0.5}; }
  // A result whose elements' address is kept: a result moved into the ndarray is there.
  Eigen::MatrixXd Made(int64_t rows, int64_t cols) {
    Eigen::MatrixXd m = Eigen::MatrixXd::Constant(rows, cols, 1.5);
    last_made_ = reinterpret_cast<uint64_t>(m.data());
    return m;
  }
  uint64_t LastMade() { return last_made_; }

 private:
  uint64_t last_made_ = 0;
};
