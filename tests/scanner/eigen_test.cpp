// Eigen's dense types through the scanner, with Eigen's own headers (found by CMake;
// skipped where Eigen is not installed): each accepted form's IDL (form, element, dtype,
// shape, the canonical spelling generated code writes), and each refusal's message.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

using nlohmann::json;

const json& Named(const json& entries, const std::string& name) {
  for (const json& entry : entries) {
    if (entry.at("name") == name) return entry;
  }
  throw std::runtime_error("nothing named " + name);
}

ScanResult ScanEigen(const std::string& input) {
  ScanOptions options;
  options.extra_args = {"-isystem", GORAY_TEST_EIGEN_INCLUDE};
  return ScanInputs({"eigen/" + input}, options);
}

json Shape(const std::string& klass, int rows, int cols, bool row_major,
           const std::string& spelling) {
  return {{"class", klass}, {"rows", rows}, {"cols", cols}, {"row_major", row_major},
          {"spelling", spelling}};
}

class EigenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(GORAY_TEST_EIGEN_INCLUDE).empty()) {
      GTEST_SKIP() << "Eigen's headers are not installed (libeigen3-dev)";
    }
  }
};

constexpr const char* kMatrixXd = "Eigen::Matrix<double, -1, -1, 0, -1, -1>";
constexpr const char* kVectorXd = "Eigen::Matrix<double, -1, 1, 0, -1, 1>";

TEST_F(EigenTest, DenseTypesAreArraysSpelledByTheirCanonicalArguments) {
  static const ScanResult result = ScanEigen("accepted.h");
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  auto param = [&](const std::string& task, std::size_t i) {
    return Named(tasks, task)["params"][i];
  };
  auto result_of = [&](const std::string& task) { return Named(tasks, task)["result"]; };

  // Eigen::MatrixXd by const&: the typedef seen through, every template argument spelled.
  EXPECT_EQ(param("Trace", 0)["type"],
            json({{"spelling", kMatrixXd},
                  {"canonical", "Eigen::Matrix<double, -1, -1>"},  // for messages
                  {"kind", "ndarray"},
                  {"form", "eigen"},
                  {"element", "double"},
                  {"dtype", "float64"},
                  {"eigen", Shape("matrix", -1, -1, false, kMatrixXd)}}));
  EXPECT_EQ(param("Trace", 0)["declared"], std::string("const ") + kMatrixXd + "&");
  EXPECT_EQ(param("Trace", 0)["passing"], "const_reference");
  // A column vector by value and as a result.
  EXPECT_EQ(param("Scale", 0)["type"]["eigen"], Shape("matrix", -1, 1, false, kVectorXd));
  EXPECT_EQ(param("Scale", 0)["declared"], kVectorXd);
  EXPECT_EQ(result_of("Scale")["spelling"], kVectorXd);
  // A row vector is row-major (Eigen's default options differ from a column vector's).
  const char* row = "Eigen::Matrix<double, 1, -1, 1, 1, -1>";
  EXPECT_EQ(result_of("Row")["eigen"], Shape("matrix", 1, -1, true, row));
  EXPECT_EQ(result_of("Row")["spelling"], row);
  // Fixed sizes; a user's typedef (geo::Pose) is spelled by its arguments too.
  const char* matrix3f = "Eigen::Matrix<float, 3, 3, 0, 3, 3>";
  EXPECT_EQ(param("Fixed", 0)["type"]["eigen"], Shape("matrix", 3, 3, false, matrix3f));
  EXPECT_EQ(result_of("Fixed")["spelling"], matrix3f);
  EXPECT_EQ(result_of("Fixed")["dtype"], "float32");
  // Eigen::Array, column- and row-major; int is spelled int32_t as array elements are.
  const char* array_xxi = "Eigen::Array<int32_t, -1, -1, 0, -1, -1>";
  EXPECT_EQ(param("Ints", 0)["type"]["eigen"], Shape("array", -1, -1, false, array_xxi));
  EXPECT_EQ(param("Ints", 0)["type"]["element"], "int32_t");
  EXPECT_EQ(param("Ints", 0)["type"]["dtype"], "int32");
  const char* array_row = "Eigen::Array<int32_t, -1, -1, 1, -1, -1>";
  EXPECT_EQ(result_of("IntsRowMajor")["eigen"], Shape("array", -1, -1, true, array_row));
  // Options beyond RowMajor (DontAlign) and maximum sizes are kept as written.
  EXPECT_EQ(result_of("Odd")["spelling"], "Eigen::Matrix<double, 4, -1, 3, 4, 8>");
  EXPECT_EQ(result_of("Odd")["eigen"]["row_major"], true);
  EXPECT_EQ(param("Odd", 0)["type"]["spelling"],
            "Eigen::Array<std::complex<float>, -1, 1, 0, -1, 1>");
  EXPECT_EQ(param("Odd", 0)["type"]["dtype"], "complex64");
  EXPECT_EQ(param("Odd", 1)["type"]["dtype"], "bool");
  EXPECT_EQ(param("Odd", 2)["type"]["spelling"], "Eigen::Matrix<uint8_t, -1, 1, 0, -1, 1>");

  // Eigen::Ref<const M>: default stride (a matrix's OuterStride<>, a vector's
  // InnerStride<1>), or the same spelled out.
  const json ref = param("SumRef", 0);
  EXPECT_EQ(ref["type"]["form"], "eigen_ref");
  EXPECT_EQ(ref["type"]["spelling"],
            std::string("Eigen::Ref<const ") + kMatrixXd + ", 0, Eigen::OuterStride<-1>>");
  EXPECT_EQ(ref["type"]["eigen"], Shape("matrix", -1, -1, false, kMatrixXd));
  EXPECT_EQ(ref["passing"], "value");
  const json ref_vector = param("SumRefVector", 0);
  EXPECT_EQ(ref_vector["type"]["spelling"],
            std::string("Eigen::Ref<const ") + kVectorXd + ", 0, Eigen::InnerStride<1>>");
  EXPECT_EQ(ref_vector["declared"], "const " + ref_vector["type"]["spelling"].get<std::string>() +
                                        "&");
  EXPECT_EQ(param("SumRefSpelled", 0)["type"]["spelling"],
            "Eigen::Ref<const Eigen::Matrix<float, -1, -1, 0, -1, -1>, 0, "
            "Eigen::OuterStride<-1>>");
  EXPECT_EQ(param("SumRefSpelled", 1)["type"]["spelling"],
            "Eigen::Ref<const Eigen::Matrix<float, 1, -1, 1, 1, -1>, 0, Eigen::InnerStride<1>>");
  // Eigen::Map<const M>: contiguous.
  const json map = param("SumMap", 0)["type"];
  EXPECT_EQ(map["form"], "eigen_map");
  EXPECT_EQ(map["spelling"],
            std::string("Eigen::Map<const ") + kVectorXd + ", 0, Eigen::Stride<0, 0>>");
  EXPECT_EQ(map["eigen"], Shape("matrix", -1, 1, false, kVectorXd));
  EXPECT_EQ(param("SumMapMatrix", 0)["type"]["eigen"]["class"], "array");

  // A value anywhere: struct fields, vectors, optionals, tuples of results, &&.
  const json& frame = Named(result.idl["structs"], "::geo::Frame");
  EXPECT_EQ(frame["fields"][0]["type"]["spelling"], matrix3f);
  EXPECT_EQ(frame["fields"][1]["type"]["spelling"], "std::vector<" + std::string(kVectorXd) + ">");
  EXPECT_EQ(frame["fields"][1]["type"]["element"]["form"], "eigen");
  EXPECT_EQ(frame["fields"][2]["type"]["element"]["spelling"],
            "Eigen::Array<int64_t, -1, 1, 0, -1, 1>");
  EXPECT_EQ(result_of("Maybe")["element"]["dtype"], "complex128");
  EXPECT_EQ(param("Maybe", 0)["type"]["element"]["eigen"]["rows"], 3);
  EXPECT_EQ(result_of("Split")["elements"][1]["spelling"], kVectorXd);
  EXPECT_EQ(param("Split", 0)["passing"], "rvalue_reference");
}

struct Refusal {
  std::string task;
  unsigned line;
  std::vector<std::string> message_parts;
};

TEST_F(EigenTest, EveryOtherUseIsRefusedSayingWhatToPass) {
  ScanResult result = ScanEigen("refused.h");
  EXPECT_FALSE(result.ok);
  const std::vector<Refusal> refusals = {
      {"Sparse", 16,
       {"parameter 'm' of task 'Sparse' has type 'Eigen::SparseMatrix<double>'",
        "sparse matrices are not supported",
        "pass the CSR arrays (values, inner indices, outer starts) as "
        "goray::ArrayView/std::vector and rebuild with Eigen::Map<SparseMatrix>"}},
      {"RefResult", 17,
       {"the result of task 'RefResult'", "a parameter's type only",
        "return or store the owning Eigen::VectorXd instead"}},
      {"MapResult", 18, {"the result of task 'MapResult'", "an Eigen::Map borrows"}},
      {"RefField", 12,
       {"field 'view' of struct 'Stored'", "a parameter's type only",
        "return or store the owning Eigen::MatrixXd"}},
      {"RefInVector", 20, {"parameter 'maps' of task 'RefInVector'", "a parameter's type only"}},
      {"WritableRef", 21,
       {"parameter 'm' of task 'WritableRef'",
        "parameters are read-only: take Eigen::Ref<const Eigen::MatrixXd>"}},
      {"WritableMap", 22,
       {"parameters are read-only: take Eigen::Map<const Eigen::VectorXd>"}},
      {"LongDouble", 23,
       {"an Eigen matrix's scalar must be an array element type", "not 'long double'"}},
      {"Quaternion", 24,
       {"'Eigen::Quaterniond'", "Eigen::Quaternion is not supported",
        "pass its coefficients, q.coeffs()"}},
      {"Block", 25,
       {"'Eigen::Block<Eigen::MatrixXd>'", "only Eigen's dense Matrix and Array types cross",
        ".eval()"}},
      {"StridedMap", 26,
       {"goray takes Eigen::Map<const Eigen::MatrixXd> with its default options and stride",
        "take Eigen::Ref<const Eigen::MatrixXd> to read strided memory"}},
      {"InnerStridedRef", 27,
       {"goray takes Eigen::Ref<const Eigen::VectorXd> with its default options and stride"}},
      {"RefByRvalue", 28,
       {"parameter 'v' of task 'RefByRvalue' is an rvalue reference",
        "take a view by value or by const reference"}},
      {"InVariant", 29,
       {"a std::variant alternative cannot be an Eigen type", "take goray::Array<double> there"}},
  };
  for (const Refusal& refusal : refusals) {
    const Diagnostic* found = nullptr;
    for (const Diagnostic& diagnostic : result.diagnostics) {
      if (diagnostic.severity == "error" && diagnostic.file == "refused.h" &&
          diagnostic.line == refusal.line) {
        found = &diagnostic;
      }
    }
    ASSERT_NE(found, nullptr) << refusal.task << ": no error at line " << refusal.line << "\n"
                              << Describe(result);
    for (const std::string& part : refusal.message_parts) {
      EXPECT_NE(found->message.find(part), std::string::npos)
          << refusal.task << ": '" << part << "' not in: " << found->message;
    }
  }
}

}  // namespace
}  // namespace goray::scan::testing
