// Benchmark library for Eigen matrices (bench/eigen.py): `2 * m` over a 64 MiB float64
// matrix taken and returned as an owning Eigen::MatrixXd (column-major), as a row-major
// Eigen matrix, and, for reference, as goray::ArrayView<double> into goray::Array<double>
// (what an Eigen user wrote before goray mapped Eigen). Hand-registered, so the Release
// tree needs no scanner.
#include <goray/goray.h>
#include <goray/eigen.h>

#include <Eigen/Core>

namespace {

using RowMajorMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// 2 * a into a fresh array, as bench_arrays.cpp's Scale2 (any shape).
goray::Array<double> Scale2View(goray::ArrayView<double> a) {
  auto out = goray::Array<double>::Zeros(a.shape());
  const double* in = a.data();
  double* result = out.data();
  const int64_t count = a.size();
  for (int64_t i = 0; i < count; ++i) result[i] = 2.0 * in[i];
  return out;
}

Eigen::MatrixXd Scale2ColMajor(const Eigen::MatrixXd& m) { return 2.0 * m; }

RowMajorMatrixXd Scale2RowMajor(const RowMajorMatrixXd& m) { return 2.0 * m; }

// 2 * m read in place: a Ref parameter (no copy in) and an owning result.
Eigen::MatrixXd Scale2Ref(const Eigen::Ref<const Eigen::MatrixXd>& m) { return 2.0 * m; }
RowMajorMatrixXd Scale2RefRow(const Eigen::Ref<const RowMajorMatrixXd>& m) { return 2.0 * m; }

// The element sum read in place (no result array): a Ref parameter's cost alone.
double SumRef(const Eigen::Ref<const Eigen::MatrixXd>& m) { return m.sum(); }

}  // namespace

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Scale2View", &Scale2View);
  registry.AddTask("Scale2ColMajor", &Scale2ColMajor);
  registry.AddTask("Scale2RowMajor", &Scale2RowMajor);
  registry.AddTask("Scale2Ref", &Scale2Ref);
  registry.AddTask("Scale2RefRow", &Scale2RefRow);
  registry.AddTask("SumRef", &SumRef);
}
