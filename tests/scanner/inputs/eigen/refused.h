// Eigen types goray refuses, one per task (eigen_test.cpp checks each error's line).
#pragma once
#include <Eigen/Core>
#include <Eigen/Geometry>
#include <Eigen/SparseCore>
#include <variant>
#include <vector>

#include <goray/annotations.h>

struct Stored {
  Eigen::Ref<const Eigen::MatrixXd> view;
};

struct GORAY_TASKS Refused {
  double Sparse(const Eigen::SparseMatrix<double>& m);
  Eigen::Ref<const Eigen::VectorXd> RefResult(int n);
  Eigen::Map<const Eigen::VectorXd> MapResult(int n);
  double RefField(const Stored& stored);
  double RefInVector(const std::vector<Eigen::Map<const Eigen::VectorXd>>& maps);
  double WritableRef(Eigen::Ref<Eigen::MatrixXd> m);
  double WritableMap(Eigen::Map<Eigen::VectorXd> v);
  double LongDouble(const Eigen::Matrix<long double, -1, -1>& m);
  double Quaternion(const Eigen::Quaterniond& q);
  double Block(const Eigen::Block<Eigen::MatrixXd>& b);
  double StridedMap(Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>> m);
  double InnerStridedRef(Eigen::Ref<const Eigen::VectorXd, 0, Eigen::InnerStride<>> v);
  double RefByRvalue(Eigen::Ref<const Eigen::VectorXd>&& v);
  double InVariant(const std::variant<double, Eigen::VectorXd>& v);
};
