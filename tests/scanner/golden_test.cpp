// Golden IDL files: each case's inputs (tests/golden/<case>/) scan to exactly its golden
// tests/golden/<case>/<case>.idl.json, byte for byte; goray-gen's golden test renders the
// same file and compares the rest of the case's outputs.
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
    Inputs, GoldenTest,
    ::testing::Values(GoldenCase{"app", {"app/app.cpp"}, true},
                      GoldenCase{"types", {"types/types.h"}},
                      GoldenCase{"actors", {"actors/actors.h"}},
                      GoldenCase{"driver", {"driver/driver.cpp"}},
                      GoldenCase{"docs", {"docs/docs.h"}},
                      GoldenCase{"project", {"project"}},
                      GoldenCase{"arrays", {"arrays/arrays.h"}},
                      GoldenCase{"refs", {"refs/refs.h"}},
                      GoldenCase{"concurrency", {"concurrency/concurrency.h"}}),
    [](const ::testing::TestParamInfo<GoldenCase>& param) { return param.param.name; });

// the README's one-file application with the runtime's real <goray/goray.h>.
TEST(GoldenWithRuntime, AppExample) {
  ScanResult result = ScanCases({"app/app.cpp"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(ReadFile(GoldenPath("app")), FormatIdl(result.idl));
}

}  // namespace
}  // namespace goray::scan::testing
