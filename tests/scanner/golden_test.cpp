// Golden IDL files: each case's inputs (tests/golden/<case>/, every case of
// tests/golden/cases.json) scan to exactly its golden tests/golden/<case>/<case>.idl.json,
// byte for byte, and conform to the IDL's schema; goray-gen's golden test renders the same
// file and compares the rest of the case's outputs.
// GORAY_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

struct GoldenCase {
  std::string name;                 // tests/golden/<name>/<name>.idl.json
  std::vector<std::string> inputs;  // under tests/golden/
  bool stub_goray_h = false;        // scan with the stand-in <goray/goray.h>
};

// The cases of tests/golden/cases.json (what goray-gen's golden test renders), each scanned
// with the runtime's <goray/goray.h>, and the README's app once more with the stand-in.
std::vector<GoldenCase> Cases() {
  std::vector<GoldenCase> cases;
  nlohmann::json listed = GoldenCases();
  for (const auto& [name, golden_case] : listed.items()) {
    cases.push_back({name, golden_case.at("inputs").get<std::vector<std::string>>()});
  }
  cases.push_back({"app", {"app/app.cpp"}, true});
  return cases;
}

std::ostream& operator<<(std::ostream& out, const GoldenCase& golden) {
  return out << golden.name;
}

void ExpectGolden(const std::string& name, const ScanResult& result) {
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  std::string actual = FormatIdl(result.idl);
  if (std::getenv("GORAY_UPDATE_GOLDEN") != nullptr) {
    WriteFile(GoldenPath(name), actual);
    GTEST_SKIP() << "rewrote " << GoldenPath(name);
  }
  ASSERT_TRUE(FileExists(GoldenPath(name))) << "no golden file " << GoldenPath(name);
  EXPECT_EQ(ReadFile(GoldenPath(name)), actual) << "the IDL of " << name << " changed";
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, ScansToGoldenIdl) {
  const GoldenCase& golden = GetParam();
  ScanOptions options;
  if (golden.stub_goray_h) {
    options.goray_include = StubInclude();
    options.extra_args = {"-I" + RuntimeInclude()};
  }
  ExpectGolden(golden.name, ScanCases(golden.inputs, options));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, GoldenTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<GoldenCase>& param) {
      return param.param.name + (param.param.stub_goray_h ? "_stub_goray_h" : "");
    });

}  // namespace
}  // namespace goray::scan::testing
