// Eigen's dense types in signatures (goray/eigen.h, docs/types.md "Eigen"): every
// matrix, vector and array form round-trips as the array ext in C order (1-D for
// vectors), the dtype and shape are checked against the type with errors naming both,
// nested lists decode, and task parameters Ref<const M> and Map<const M> read the
// request in place where M's order allows and from one copy otherwise.
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "abi_call.h"
#include "array_test_util.h"
#include "goray/eigen.h"
#include "test_application.h"

namespace eigen_test {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Where each parameter's data was during the call.
const void* g_seen = nullptr;

double Trace(const Eigen::MatrixXd& m) { return g_seen = m.data(), m.trace(); }
double SumRef(Eigen::Ref<const Eigen::MatrixXd> m) { return g_seen = m.data(), m.sum(); }
double SumRowRef(const Eigen::Ref<const RowMatrixXd>& m) { return g_seen = m.data(), m.sum(); }
double SumRowMap(Eigen::Map<const RowMatrixXd> m) { return g_seen = m.data(), m.sum(); }
double ColMapCorner(const Eigen::Map<const Eigen::MatrixXd>& m) {
  return g_seen = m.data(), m(0, m.cols() - 1);
}
double Dot(const Eigen::Ref<const Eigen::VectorXd>& a, Eigen::Map<const Eigen::VectorXd> b) {
  return a.dot(b);
}
Eigen::MatrixXd Outer(const Eigen::VectorXd& a, const Eigen::RowVectorXd& b) { return a * b; }

}  // namespace eigen_test

GORAY_TEST_APPLICATION(registry) {
  using namespace eigen_test;
  registry.AddTask("Trace", &Trace);
  registry.AddTask("SumRef", &SumRef);
  registry.AddTask("SumByRef", &SumRowRef);  // 8 letters: the data stays aligned
  registry.AddTask("SumByMap", &SumRowMap);
  registry.AddTask("ColMapCorner", &ColMapCorner);
  registry.AddTask("Dot", &Dot);
  registry.AddTask("Outer", &Outer);
}

namespace eigen_test {
namespace {

using array_test::DecodeErrorText;
using array_test::DecodeFromString;
using array_test::EncodeToString;
namespace detail = goray::codec::detail;

class Eigen_ : public testing::Test {
 protected:
  void SetUp() override { detail::SetArraysEnabled(true); }
  void TearDown() override { detail::SetArraysEnabled(false); }
};

// The ext 71 of `bytes` (one array value): its shape and its data as T.
template <class T>
std::pair<std::vector<int64_t>, std::vector<T>> ReadExt(const std::string& bytes) {
  goray::ArrayView<T> view = DecodeFromString<goray::ArrayView<T>>(bytes);
  return {view.shape(), std::vector<T>(view.begin(), view.end())};
}

TEST_F(Eigen_, AColumnMajorMatrixIsWrittenInCOrderAndReadBack) {
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const std::string bytes = EncodeToString(m);
  auto [shape, data] = ReadExt<double>(bytes);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(DecodeFromString<Eigen::MatrixXd>(bytes), m);
  EXPECT_EQ(DecodeFromString<RowMatrixXd>(bytes), RowMatrixXd(m));
}

TEST_F(Eigen_, EveryFormRoundTrips) {
  Eigen::Matrix3f fixed;
  fixed << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  EXPECT_EQ(DecodeFromString<Eigen::Matrix3f>(EncodeToString(fixed)), fixed);
  Eigen::ArrayXXi ints(2, 2);
  ints << 1, -2, 3, -4;
  EXPECT_TRUE((DecodeFromString<Eigen::ArrayXXi>(EncodeToString(ints)) == ints).all());
  Eigen::Array<int64_t, 2, 3, Eigen::RowMajor> row_ints;
  row_ints << 1, 2, 3, 4, 5, 6;
  EXPECT_TRUE((DecodeFromString<decltype(row_ints)>(EncodeToString(row_ints)) == row_ints).all());
  Eigen::MatrixXcd complex(1, 2);
  complex << std::complex<double>(1, 2), std::complex<double>(-3, 4);
  EXPECT_EQ(DecodeFromString<Eigen::MatrixXcd>(EncodeToString(complex)), complex);
  Eigen::Matrix<bool, 2, 2> flags;
  flags << true, false, false, true;
  EXPECT_EQ((DecodeFromString<Eigen::Matrix<bool, 2, 2>>(EncodeToString(flags))), flags);
  Eigen::MatrixXd empty(0, 4);
  EXPECT_EQ(DecodeFromString<Eigen::MatrixXd>(EncodeToString(empty)).cols(), 4);
}

TEST_F(Eigen_, VectorsAreOneDimensionalAndTakeTheirTwoDimensionalForm) {
  Eigen::VectorXd column(3);
  column << 1, 2, 3;
  Eigen::RowVectorXd row(3);
  row << 4, 5, 6;
  EXPECT_EQ(ReadExt<double>(EncodeToString(column)).first, (std::vector<int64_t>{3}));
  EXPECT_EQ(ReadExt<double>(EncodeToString(row)).first, (std::vector<int64_t>{3}));
  EXPECT_EQ(DecodeFromString<Eigen::VectorXd>(EncodeToString(column)), column);
  EXPECT_EQ(DecodeFromString<Eigen::RowVectorXd>(EncodeToString(row)), row);
  // (3, 1) is a column vector, (1, 3) a row vector; (1, 3) is not a column.
  Eigen::MatrixXd tall = column;
  Eigen::MatrixXd wide = row;
  EXPECT_EQ(DecodeFromString<Eigen::VectorXd>(EncodeToString(tall)), column);
  EXPECT_EQ(DecodeFromString<Eigen::RowVectorXd>(EncodeToString(wide)), row);
  EXPECT_EQ(DecodeErrorText<Eigen::VectorXd>(EncodeToString(wide)),
            "expected Eigen::Matrix<double, Dynamic, 1>, received ndarray of float64 (1, 3)");
}

TEST_F(Eigen_, AWrongDtypeOrShapeNamesBothSides) {
  goray::Array<int64_t> ints = goray::Array<int64_t>::Zeros({2, 2});
  EXPECT_EQ(DecodeErrorText<Eigen::MatrixXd>(EncodeToString(ints)),
            "expected Eigen::Matrix<double, Dynamic, Dynamic>, received ndarray of int64 (2, 2)");
  goray::Array<float> wrong_size = goray::Array<float>::Zeros({2, 3});
  EXPECT_EQ(DecodeErrorText<Eigen::Matrix3f>(EncodeToString(wrong_size)),
            "expected Eigen::Matrix<float, 3, 3>, received ndarray of float32 (2, 3)");
  goray::Array<double> flat = goray::Array<double>::Zeros({4});
  EXPECT_EQ(DecodeErrorText<RowMatrixXd>(EncodeToString(flat)),
            "expected Eigen::Matrix<double, Dynamic, Dynamic, RowMajor>, received ndarray of "
            "float64 (4,)");
}

TEST_F(Eigen_, NestedListsDecode) {
  detail::SetArraysEnabled(false);  // GoRay's driver: nested lists both ways
  Eigen::Matrix2d m;
  m << 1, 2, 3, 4;
  const std::string bytes = EncodeToString(m);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x92);  // [[1, 2], [3, 4]]
  EXPECT_EQ(DecodeFromString<Eigen::Matrix2d>(bytes), m);
  EXPECT_EQ(DecodeErrorText<Eigen::Matrix2d>(EncodeToString(std::vector<double>{1, 2, 3})),
            "expected Eigen::Matrix<double, 2, 2>, received a nested array of shape (3,)");
}

// A call whose arguments are `args` (goray's encoding: ext 71 with arrays on), run through
// Execute; `request` is where the request's bytes were during the call.
template <class... Args>
abi_call::Result CallTask(const char* task, const char*& request, std::size_t& size,
                          const Args&... args) {
  std::string block;
  (block += ... += EncodeToString(args));
  std::string payload;
  abi_call::AppendUnit(payload, task);
  abi_call::AppendUnit(payload, block);
  request = payload.data();
  size = payload.size();
  return abi_call::Call(4, std::move(payload));
}

double Result(const abi_call::Result& result) {
  EXPECT_EQ(result.code, 0) << result.body;
  return DecodeFromString<double>(result.body);
}

bool Inside(const void* seen, const char* request, std::size_t size) {
  const char* at = static_cast<const char*>(seen);
  return at >= request && at < request + size;
}

TEST_F(Eigen_, RefAndMapOfARowMajorMatrixReadTheRequestInPlace) {
  RowMatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const char* request = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(Result(CallTask("SumByRef", request, size, m)), 21);
  EXPECT_TRUE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("SumByMap", request, size, m)), 21);
  EXPECT_TRUE(Inside(g_seen, request, size));
}

TEST_F(Eigen_, AColumnMajorParameterIsOneCopy) {
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const char* request = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(Result(CallTask("Trace", request, size, m)), 6);
  EXPECT_FALSE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("SumRef", request, size, m)), 21);
  EXPECT_FALSE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("ColMapCorner", request, size, m)), 3);
  EXPECT_FALSE(Inside(g_seen, request, size));
}

TEST_F(Eigen_, VectorParametersAndAMatrixResult) {
  Eigen::VectorXd a(3);
  a << 1, 2, 3;
  Eigen::RowVectorXd b(2);
  b << 10, 20;
  const char* request = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(Result(CallTask("Dot", request, size, a, a)), 14);
  abi_call::Result outer = CallTask("Outer", request, size, a, b);
  ASSERT_EQ(outer.code, 0) << outer.body;
  Eigen::MatrixXd expected = a * b;
  EXPECT_EQ(DecodeFromString<Eigen::MatrixXd>(outer.body), expected);
}

TEST_F(Eigen_, AnArgumentErrorNamesTheTaskThePositionAndBothTypes) {
  goray::Array<int64_t> ints = goray::Array<int64_t>::Zeros({2, 2});
  Eigen::VectorXd a(2);
  const char* request = nullptr;
  std::size_t size = 0;
  abi_call::Result result = CallTask("Dot", request, size, a, ints);
  ASSERT_EQ(result.code, 5);
  EXPECT_EQ(nlohmann::json::parse(result.body)["Message"].get<std::string>(),
            "goray::ArgumentError: position 1: expected Eigen::Map<const Eigen::Matrix<double, "
            "Dynamic, 1>>, received ndarray of int64 (2, 2) (task Dot)");
}

}  // namespace
}  // namespace eigen_test
