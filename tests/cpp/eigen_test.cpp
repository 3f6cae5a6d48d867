// Eigen's dense types in signatures (goray/eigen.h, docs/types.md "Eigen"): every
// matrix, vector and array form round-trips as the array ext (1-D for vectors; a
// column-major matrix in C order, or as stored with the column-major bit once
// EnableFeatures bit 32 is on), the dtype and shape are checked against the type with
// errors naming both, nested lists decode, task parameters Ref<const M> and Map<const M>
// read the request in place where M's order is the data's and from one copy otherwise,
// and a matrix result is handed over as its own memory.
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <cstring>
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
double TraceByValue(Eigen::MatrixXd m) { return g_seen = m.data(), m.trace(); }
double RowSum(const RowMatrixXd& m) { return g_seen = m.data(), m.sum(); }
double ArraySum(const Eigen::ArrayXXd& a) { return g_seen = a.data(), a.sum(); }
double VectorSum(const Eigen::VectorXd& v) { return g_seen = v.data(), v.sum(); }
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
// 2 * m, noting where the result's elements are (they move into the reply's owner).
Eigen::MatrixXd Twice(const Eigen::MatrixXd& m) {
  Eigen::MatrixXd out = 2.0 * m;
  g_seen = out.data();
  return out;
}

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
  registry.AddTask("Twice", &Twice);
  registry.AddTask("SumByCol", &SumRef);        // 8 letters, as above
  registry.AddTask("CornerBy", &ColMapCorner);
  // 16 letters: the data stays aligned as Eigen assumes of a matrix's memory (16 bytes)
  registry.AddTask("TraceColumnMajor", &Trace);
  registry.AddTask("TraceByValueCopy", &TraceByValue);
  registry.AddTask("RowMajorSumConst", &RowSum);
  registry.AddTask("ArraySumOfColumn", &ArraySum);
  registry.AddTask("VectorSumByConst", &VectorSum);
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
  void TearDown() override {
    detail::SetArraysEnabled(false);
    goray::detail::SetFeatures(0);
  }
};

void ColumnMajorOn() { goray::detail::SetFeatures(goray::detail::kFeatureColumnMajor); }

// The 4th header byte of the one ext 71 in `bytes` (an ext32: c9, length, 71, payload).
unsigned FourthByte(const std::string& bytes) {
  return static_cast<unsigned char>(bytes.at(6 + 3));
}

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

TEST_F(Eigen_, WithColumnMajorOnAColumnMajorMatrixIsWrittenAsStored) {
  ColumnMajorOn();
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const std::string bytes = EncodeToString(m);
  EXPECT_EQ(FourthByte(bytes) & 0x80, 0x80u);
  const std::size_t data_at = 6 + 4 + 16 + (FourthByte(bytes) & 0x3f);
  std::vector<double> stored(6);
  std::memcpy(stored.data(), bytes.data() + data_at, sizeof(double) * 6);
  EXPECT_EQ(stored, (std::vector<double>{1, 4, 2, 5, 3, 6}));  // Fortran order, no transpose
  // Every reader gets the same matrix: Eigen in either order, goray's arrays in C order.
  EXPECT_EQ(DecodeFromString<Eigen::MatrixXd>(bytes), m);
  EXPECT_EQ(DecodeFromString<RowMatrixXd>(bytes), RowMatrixXd(m));
  auto [shape, data] = ReadExt<double>(bytes);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // A row-major matrix and a vector never carry the bit.
  EXPECT_EQ(FourthByte(EncodeToString(RowMatrixXd(m))) & 0x80, 0u);
  Eigen::VectorXd v(3);
  v << 1, 2, 3;
  EXPECT_EQ(FourthByte(EncodeToString(v)) & 0x80, 0u);
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

TEST_F(Eigen_, AConstReferenceOfTheDatasOrderIsTheRequestsElements) {
  RowMatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const char* request = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(Result(CallTask("RowMajorSumConst", request, size, m)), 21);
  EXPECT_TRUE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("VectorSumByConst", request, size,
                         Eigen::VectorXd(Eigen::VectorXd::LinSpaced(4, 1, 4)))), 10);
  EXPECT_TRUE(Inside(g_seen, request, size));
  // Aligned to 8 only (a 5-letter name), not as Eigen assumes of a matrix's own: one copy.
  EXPECT_EQ(Result(CallTask("Trace", request, size, Eigen::MatrixXd(m))), 6);
  EXPECT_FALSE(Inside(g_seen, request, size));
}

TEST_F(Eigen_, OnlyDynamicMatricesOfEigensKnownLayoutAreBorrowed) {
  EXPECT_TRUE(goray::detail::EigenBorrowingFits<Eigen::MatrixXd>());
  EXPECT_TRUE(goray::detail::EigenBorrowingFits<RowMatrixXd>());
  EXPECT_TRUE(goray::detail::EigenBorrowingFits<Eigen::RowVectorXf>());
  EXPECT_TRUE((goray::detail::EigenBorrowingFits<Eigen::Matrix<double, 3, Eigen::Dynamic>>()));
  static_assert(!goray::detail::kEigenBorrowable<Eigen::Matrix3d>);
  static_assert(goray::detail::kEigenBorrowable<Eigen::VectorXd>);
  static_assert(!goray::detail::kEigenBorrowable<Eigen::Matrix<double, Eigen::Dynamic, 1, 0, 8, 1>>);
  using Storage = goray::detail::ParameterStorage<const Eigen::MatrixXd&>::type;
  static_assert(std::is_same_v<Storage, goray::detail::EigenBorrowedArgument<Eigen::MatrixXd>>);
  static_assert(std::is_same_v<goray::detail::ParameterStorage<Eigen::MatrixXd>::type, Eigen::MatrixXd>);
  static_assert(std::is_same_v<goray::detail::ParameterStorage<const std::string&>::type, std::string>);
}

TEST_F(Eigen_, ABorrowedArgumentMovesAndLeavesNothingToFree) {
  Eigen::MatrixXd m(2, 2);
  m << 1, 2, 3, 4;
  alignas(64) double elements[4] = {1, 3, 2, 4};
  goray::detail::EigenBorrowedArgument<Eigen::MatrixXd> argument;
  goray::detail::EigenSource<double> source{elements, 2, 2, 1, 2};
  argument.Settle(source);
  ASSERT_TRUE(argument.borrowed());
  goray::detail::EigenBorrowedArgument<Eigen::MatrixXd> moved(std::move(argument));
  EXPECT_FALSE(argument.borrowed());
  EXPECT_TRUE(moved.borrowed());
  const Eigen::MatrixXd& seen = moved;
  EXPECT_EQ(seen.data(), elements);
  EXPECT_EQ(seen, m);
  EXPECT_EQ(static_cast<const Eigen::MatrixXd&>(argument).size(), 0);
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

TEST_F(Eigen_, WithColumnMajorOnAColumnMajorParameterReadsTheRequestInPlace) {
  ColumnMajorOn();
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const char* request = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(Result(CallTask("SumByCol", request, size, m)), 21);
  EXPECT_TRUE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("CornerBy", request, size, m)), 3);
  EXPECT_TRUE(Inside(g_seen, request, size));
  // A `const M&` of M's order, aligned, is the request's elements too; a by-value M is
  // its own copy; a row-major one of Fortran-ordered data copies.
  EXPECT_EQ(Result(CallTask("TraceColumnMajor", request, size, m)), 6);
  EXPECT_TRUE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("ArraySumOfColumn", request, size, Eigen::ArrayXXd(m))), 21);
  EXPECT_TRUE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("TraceByValueCopy", request, size, m)), 6);
  EXPECT_FALSE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("RowMajorSumConst", request, size, m)), 21);
  EXPECT_FALSE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("SumByRef", request, size, m)), 21);
  EXPECT_FALSE(Inside(g_seen, request, size));
  EXPECT_EQ(Result(CallTask("SumByMap", request, size, m)), 21);
  EXPECT_FALSE(Inside(g_seen, request, size));
}

// The ext 72 a RunTaskForPython (34) reply holds: its 4th byte, shape and address.
struct HandedOver {
  unsigned flags = 0;
  std::vector<int64_t> shape;
  const double* address = nullptr;
  uint64_t token = 0;
};
HandedOver ReadHandedOver(const std::string& body) {
  msgpack::object_handle handle = msgpack::unpack(body.data(), body.size());
  const msgpack::object& object = handle.get();
  EXPECT_EQ(object.type, msgpack::type::EXT);
  EXPECT_EQ(object.via.ext.type(), 72);
  const char* payload = object.via.ext.data();
  HandedOver out;
  out.flags = static_cast<unsigned char>(payload[3]);
  const std::size_t ndim = static_cast<unsigned char>(payload[2]);
  auto load = [&](std::size_t at) {
    uint64_t value = 0;
    std::memcpy(&value, payload + at, 8);
    return value;
  };
  for (std::size_t i = 0; i < ndim; ++i) out.shape.push_back(static_cast<int64_t>(load(4 + 8 * i)));
  out.address = reinterpret_cast<const double*>(static_cast<uintptr_t>(load(4 + 8 * ndim)));
  out.token = load(12 + 8 * ndim);
  return out;
}

TEST_F(Eigen_, AMatrixResultIsHandedOverAsItsOwnMemory) {
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  for (bool column_major : {false, true}) {
    if (column_major) ColumnMajorOn();
    std::string payload;
    abi_call::AppendUnit(payload, "Twice");
    abi_call::AppendUnit(payload, EncodeToString(m));
    abi_call::Result result = abi_call::Call(34, std::move(payload));
    ASSERT_EQ(result.code, 0) << result.body;
    HandedOver handed = ReadHandedOver(result.body);
    EXPECT_EQ(handed.shape, (std::vector<int64_t>{2, 3}));
    if (column_major) {
      // The result's own elements, in Fortran order: no copy.
      EXPECT_EQ(handed.flags, 0x81u);  // owned, column-major
      EXPECT_EQ(static_cast<const void*>(handed.address), g_seen);
      EXPECT_EQ(handed.address[1], 8);  // m(1, 0) * 2
    } else {
      // Without the feature: one transposed copy, in C order.
      EXPECT_EQ(handed.flags, 1u);
      EXPECT_NE(static_cast<const void*>(handed.address), g_seen);
      EXPECT_EQ(handed.address[1], 4);  // m(0, 1) * 2
    }
    std::string token;
    for (int i = 0; i < 8; ++i) token.push_back(static_cast<char>((handed.token >> (8 * i)) & 0xff));
    EXPECT_EQ(abi_call::Call(36, token).code, 0);
  }
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
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
