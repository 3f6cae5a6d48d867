// Shared helpers of the scanner tests.
#include "test_support.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "json_schema_check.h"

namespace goray::scan::testing {

std::string InputPath(const std::string& relative) {
  return std::string(GORAY_TEST_DIR) + "/inputs/" + relative;
}

std::string CasePath(const std::string& relative) {
  return std::string(GORAY_TEST_GOLDEN_DIR) + "/" + relative;
}

std::string GoldenPath(const std::string& name) { return CasePath(name + "/" + name + ".idl.json"); }

nlohmann::json GoldenCases() { return nlohmann::json::parse(ReadFile(CasePath("cases.json"))); }

std::string StubInclude() { return std::string(GORAY_TEST_DIR) + "/stub_include"; }
std::string RuntimeInclude() { return GORAY_TEST_RUNTIME_INCLUDE; }
std::string SchemaPath() { return GORAY_TEST_IDL_SCHEMA; }
std::string ScanExecutable() { return GORAY_TEST_SCAN_EXECUTABLE; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

bool FileExists(const std::string& path) { return std::filesystem::exists(path); }

namespace {

// This process's folder for MakeTempDirectory, removed when the process ends: named for
// the process, so that two runs at once (two clones' ctest) never share one.
class ProcessTempRoot {
 public:
  ProcessTempRoot()
      : path_(std::filesystem::temp_directory_path() /
              ("goray_scanner_test_" + std::to_string(::getpid()))) {}
  ~ProcessTempRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string MakeTempDirectory(const std::string& name) {
  static const ProcessTempRoot root;
  std::filesystem::path directory = root.path() / name;
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory.string();
}

void ExpectConformsToSchema(const nlohmann::json& idl, const std::string& what) {
  static const nlohmann::json schema = nlohmann::json::parse(ReadFile(SchemaPath()));
  std::vector<std::string> errors = SchemaErrors(schema, idl);
  std::string listed;
  for (const std::string& error : errors) listed += error + "\n";
  EXPECT_TRUE(errors.empty()) << "the IDL written for " << what
                              << " breaks generator/idl/idl.schema.json:\n" << listed;
}

namespace {

// Scan(), with the IDL of every scan that succeeds checked against the schema: so each
// input a test scans also tests the writer.
ScanResult CheckedScan(const std::vector<std::string>& paths, const ScanOptions& options) {
  ScanResult result = Scan(paths, options);
  if (result.ok) {
    std::string what;
    for (const std::string& path : paths) what += (what.empty() ? "" : " ") + path;
    ExpectConformsToSchema(result.idl, what);
  }
  return result;
}

}  // namespace

ScanResult ScanInputs(const std::vector<std::string>& relative, ScanOptions options) {
  std::vector<std::string> paths;
  for (const std::string& input : relative) paths.push_back(InputPath(input));
  return CheckedScan(paths, options);
}

ScanResult ScanCases(const std::vector<std::string>& relative, ScanOptions options) {
  std::vector<std::string> paths;
  for (const std::string& input : relative) paths.push_back(CasePath(input));
  return CheckedScan(paths, options);
}

std::string Describe(const ScanResult& result) {
  std::string text;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    text += diagnostic.file + ":" + std::to_string(diagnostic.line) + ":" +
            std::to_string(diagnostic.column) + ": " + diagnostic.severity + ": " +
            diagnostic.message + "\n";
  }
  return text;
}

}  // namespace goray::scan::testing
