// Shared helpers of the scanner tests: where inputs and golden files are, scanning an
// input with the test's options, reading files.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "goray/scan/scan.h"

namespace goray::scan::testing {

// the scanner's own inputs: tests/scanner/inputs/<relative>
std::string InputPath(const std::string& relative);
// a golden case's inputs: tests/golden/<relative> (relative starts with the case's name)
std::string CasePath(const std::string& relative);
// a golden case's IDL: tests/golden/<name>/<name>.idl.json
std::string GoldenPath(const std::string& name);
// tests/golden/cases.json: case name -> {"inputs": [...], ...}, every golden case.
nlohmann::json GoldenCases();
// tests/scanner/stub_include: a <goray/goray.h> with only the markers and std headers.
std::string StubInclude();
std::string RuntimeInclude();
std::string SchemaPath();
std::string ScanExecutable();

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
bool FileExists(const std::string& path);
// A fresh empty directory under the system's temporary directory, in a folder of this
// process's that is removed when the process ends.
std::string MakeTempDirectory(const std::string& name);

// A test failure (EXPECT) for each way `idl` breaks generator/idl/idl.schema.json; `what`
// names the scan in the message.
void ExpectConformsToSchema(const nlohmann::json& idl, const std::string& what);

// Scans inputs/<relative>... with `options`. The IDL of a scan that succeeds is checked
// against the schema (ExpectConformsToSchema).
ScanResult ScanInputs(const std::vector<std::string>& relative, ScanOptions options = {});
// Scans the golden cases' tests/golden/<relative>... with `options`, checked likewise.
ScanResult ScanCases(const std::vector<std::string>& relative, ScanOptions options = {});

// All diagnostics, one per line, for failure messages.
std::string Describe(const ScanResult& result);

}  // namespace goray::scan::testing
