// Eigen's dense types goray passes (needs Eigen's headers: eigen_test.cpp adds them).
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include <goray/annotations.h>

namespace geo {
using Pose = Eigen::Matrix<float, 3, 3>;  // a user's typedef: spelled by its arguments
struct Frame {
  Pose pose;
  std::vector<Eigen::VectorXd> points;
  std::optional<Eigen::Array<std::int64_t, Eigen::Dynamic, 1>> labels;
};
}  // namespace geo

struct GORAY_TASKS EigenTasks {
  double Trace(const Eigen::MatrixXd& m);
  Eigen::VectorXd Scale(Eigen::VectorXd v, double k);
  Eigen::RowVectorXd Row(const Eigen::RowVectorXd& r);
  geo::Pose Fixed(const Eigen::Matrix3f& m);
  Eigen::ArrayXXi Ints(const Eigen::ArrayXXi& a);
  Eigen::Array<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> IntsRowMajor(
      const Eigen::Array<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& a);
  Eigen::Matrix<double, 4, Eigen::Dynamic, Eigen::RowMajor | Eigen::DontAlign, 4, 8> Odd(
      Eigen::ArrayXcf a, Eigen::Matrix<bool, 2, 2> b, Eigen::Matrix<std::uint8_t, -1, 1> c);
  double SumRef(Eigen::Ref<const Eigen::MatrixXd> m);
  double SumRefVector(const Eigen::Ref<const Eigen::VectorXd>& v);
  double SumRefSpelled(Eigen::Ref<const Eigen::MatrixXf, 0, Eigen::OuterStride<>> a,
                       Eigen::Ref<const Eigen::RowVectorXf, 0, Eigen::InnerStride<1>> b);
  double SumMap(Eigen::Map<const Eigen::VectorXd> v);
  double SumMapMatrix(const Eigen::Map<const Eigen::ArrayXXd>& m);
  geo::Frame Move(const geo::Frame& frame);
  std::optional<Eigen::MatrixXcd> Maybe(std::vector<Eigen::Vector3d> points);
  std::tuple<Eigen::MatrixXd, Eigen::VectorXd> Split(Eigen::MatrixXd&& m);
};

// An actor type (goray.serve batches a method over a dynamic vector, element by element).
class GORAY_ACTOR Model {
 public:
  explicit Model(Eigen::MatrixXd weights);
  Eigen::VectorXd Predict(const Eigen::VectorXd& x);
  Eigen::MatrixXd Gram(const Eigen::MatrixXd& m);
  Eigen::Vector3d Turn(const Eigen::Vector3d& v);
};
