// The goray-scan tool: writes the IDL only on success; exit status 0, 1 (bad input,
// clang-style errors on stderr), 2 (bad command line).
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

struct ScanRun {
  int status;
  std::string err;
};

ScanRun RunScan(const std::string& arguments, const std::string& directory) {
  std::string err_file = directory + "/stderr.txt";
  std::string command = "'" + ScanExecutable() + "' " + arguments + " 2> '" + err_file + "'";
  int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, ReadFile(err_file)};
}

TEST(Cli, WritesThePrettyIdlOnSuccess) {
  std::string out = MakeTempDirectory("cli_ok");
  ScanRun run = RunScan("'" + CasePath("driver/driver.cpp") + "' -o '" + out + "/driver.idl.json'",
                    out);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  ASSERT_TRUE(FileExists(out + "/driver.idl.json"));
  EXPECT_EQ(ReadFile(out + "/driver.idl.json"), ReadFile(GoldenPath("driver")));
}

TEST(Cli, OptionsAndClangArguments) {
  std::string out = MakeTempDirectory("cli_options");
  ScanRun run = RunScan("--root='" + InputPath("") + "' '" + InputPath("flags/flags.cpp") +
                        "' --output '" + out + "/flags.json' --goray-include '" +
                        RuntimeInclude() + "' -- -DGORAY_TEST_FLAG=1",
                    out);
  EXPECT_EQ(run.status, 0) << run.err;
  nlohmann::json idl = nlohmann::json::parse(ReadFile(out + "/flags.json"));
  EXPECT_EQ(idl["sources"], nlohmann::json({"flags/flags.cpp"}));
}

TEST(Cli, BadInputExitsOneWritesNothing) {
  std::string out = MakeTempDirectory("cli_bad");
  ScanRun run = RunScan("'" + InputPath("errors/pointer_param.h") + "' -o '" + out + "/x.json'", out);
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("pointer_param.h:3:18: error: parameter 'out' of task 'Fill'"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(FileExists(out + "/x.json"));
}

TEST(Cli, ClangErrorsExitOne) {
  std::string out = MakeTempDirectory("cli_clang");
  ScanRun run =
      RunScan("'" + InputPath("errors/missing_include.cpp") + "' -o '" + out + "/x.json'", out);
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("fatal error: 'goray/no_such_header.h' file not found"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(FileExists(out + "/x.json"));
}

TEST(Cli, UsageErrorsExitTwo) {
  std::string out = MakeTempDirectory("cli_usage");
  EXPECT_EQ(RunScan("'" + CasePath("driver/driver.cpp") + "'", out).status, 2) << "no -o";
  EXPECT_EQ(RunScan("-o x.json", out).status, 2) << "no source";
  EXPECT_EQ(RunScan("--frobnicate -o x.json a.cpp", out).status, 2);
  EXPECT_EQ(RunScan("--help", out).status, 0);
}

}  // namespace
}  // namespace goray::scan::testing
