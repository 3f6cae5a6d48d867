// goray-scan finds the runtime's headers and clang's builtin headers relative to its
// own executable (<prefix>/bin/goray-scan), else uses the directories baked in.
#include "goray/scan/install_paths.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

namespace fs = std::filesystem;

// A fresh prefix with bin/ and, on request, the two directories the scanner looks for.
struct FakePrefix {
  std::string root;
  std::string executable;

  explicit FakePrefix(const std::string& name) : root(MakeTempDirectory(name)) {
    fs::create_directories(root + "/bin");
    executable = root + "/bin/goray-scan";
  }
  std::string Include() const { return root + "/include"; }
  std::string ResourceDir(unsigned major) const {
    return root + "/lib/clang/" + std::to_string(major);
  }
  void AddGorayHeader(const std::string& text = "#pragma once\n") const {
    fs::create_directories(Include() + "/goray");
    WriteFile(Include() + "/goray/goray.h", text);
  }
  void AddStddef(unsigned major, const std::string& text = "#pragma once\n") const {
    fs::create_directories(ResourceDir(major) + "/include");
    WriteFile(ResourceDir(major) + "/include/stddef.h", text);
  }
};

TEST(InstallPaths, FindsTheRuntimeIncludeNextToTheExecutable) {
  FakePrefix prefix("paths_include");
  prefix.AddGorayHeader();
  ChosenPath chosen = FindGorayInclude(prefix.executable, "/built/in/include");
  EXPECT_EQ(chosen.path, prefix.Include());
  EXPECT_EQ(chosen.origin, "executable");
}

TEST(InstallPaths, FallsBackToTheBuiltInIncludeWithoutGorayHeader) {
  FakePrefix prefix("paths_include_fallback");
  fs::create_directories(prefix.Include() + "/goray");  // the directory alone is not enough
  ChosenPath chosen = FindGorayInclude(prefix.executable, "/built/in/include");
  EXPECT_EQ(chosen.path, "/built/in/include");
  EXPECT_EQ(chosen.origin, "built-in");
}

TEST(InstallPaths, FindsTheResourceDirNextToTheExecutable) {
  FakePrefix prefix("paths_resource");
  prefix.AddStddef(19);
  ChosenPath chosen = FindResourceDir(prefix.executable, 19, "/built/in/clang/19");
  EXPECT_EQ(chosen.path, prefix.ResourceDir(19));
  EXPECT_EQ(chosen.origin, "executable");
}

TEST(InstallPaths, FallsBackToTheBuiltInResourceDirForAnotherMajor) {
  FakePrefix prefix("paths_resource_fallback");
  prefix.AddStddef(18);
  ChosenPath chosen = FindResourceDir(prefix.executable, 19, "/built/in/clang/19");
  EXPECT_EQ(chosen.path, "/built/in/clang/19");
  EXPECT_EQ(chosen.origin, "built-in");
  EXPECT_EQ(FindResourceDir(FakePrefix("paths_resource_empty").executable, 19, "/b").path, "/b");
}

TEST(InstallPaths, UnknownExecutableFallsBack) {
  EXPECT_EQ(FindGorayInclude("", "/built/in/include").origin, "built-in");
  EXPECT_EQ(FindResourceDir("", 19, "/built/in/clang/19").origin, "built-in");
}

TEST(InstallPaths, ExecutablePathIsThisProgram) {
  std::string executable = ExecutablePath();
  EXPECT_EQ(executable, fs::canonical("/proc/self/exe").string());
  EXPECT_EQ(fs::path(executable).filename(), "goray_scanner_test");
}

TEST(InstallPaths, BuiltInDirectoriesHoldTheHeaders) {
  EXPECT_TRUE(FileExists(BuiltInGorayInclude() + "/goray/goray.h")) << BuiltInGorayInclude();
  EXPECT_TRUE(FileExists(BuiltInResourceDir() + "/include/stddef.h")) << BuiltInResourceDir();
  EXPECT_EQ(fs::path(BuiltInResourceDir()).filename(), std::to_string(LlvmMajorVersion()));
}

// The real goray-scan copied into a fake prefix (a copy: a symlink's target is what
// /proc/self/exe names).
struct RelocatedScanner : FakePrefix {
  explicit RelocatedScanner(const std::string& name) : FakePrefix(name) {
    fs::copy_file(ScanExecutable(), executable);
  }
  struct Run {
    int status;
    std::string out;
    std::string err;
  };
  Run Invoke(const std::string& arguments) const {
    std::string command = "'" + executable + "' " + arguments + " > '" + root + "/out.txt' 2> '" +
                          root + "/err.txt'";
    int raw = std::system(command.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, ReadFile(root + "/out.txt"),
            ReadFile(root + "/err.txt")};
  }
};

TEST(RelocatedScanner, PrintsTheBuiltInPathsWhenThePrefixHasNone) {
  RelocatedScanner scanner("relocated_none");
  RelocatedScanner::Run run = scanner.Invoke("--print-paths");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "executable: " + scanner.executable + "\n" +
                         "goray-include: " + BuiltInGorayInclude() + " (built-in)\n" +
                         "resource-dir: " + BuiltInResourceDir() + " (built-in)\n");
}

TEST(RelocatedScanner, UsesTheHeadersOfItsPrefix) {
  RelocatedScanner scanner("relocated_prefix");
  unsigned major = LlvmMajorVersion();
  scanner.AddGorayHeader("#error \"the prefix's goray.h\"\n");
  scanner.AddStddef(major, "#error \"the prefix's stddef.h\"\n");
  RelocatedScanner::Run paths = scanner.Invoke("--print-paths");
  ASSERT_EQ(paths.status, 0) << paths.err;
  EXPECT_NE(paths.out.find("goray-include: " + scanner.Include() + " (executable)\n"),
            std::string::npos)
      << paths.out;
  EXPECT_NE(paths.out.find("resource-dir: " + scanner.ResourceDir(major) + " (executable)\n"),
            std::string::npos)
      << paths.out;

  // A scan reads them: each header's #error shows which file clang opened.
  WriteFile(scanner.root + "/uses_goray.cpp", "#include <goray/goray.h>\n");
  RelocatedScanner::Run goray =
      scanner.Invoke("'" + scanner.root + "/uses_goray.cpp' -o '" + scanner.root + "/a.json'");
  EXPECT_EQ(goray.status, 1);
  EXPECT_NE(goray.err.find("the prefix's goray.h"), std::string::npos) << goray.err;
  WriteFile(scanner.root + "/uses_stddef.cpp", "#include <stddef.h>\n");
  RelocatedScanner::Run stddef =
      scanner.Invoke("'" + scanner.root + "/uses_stddef.cpp' -o '" + scanner.root + "/b.json'");
  EXPECT_EQ(stddef.status, 1);
  EXPECT_NE(stddef.err.find("the prefix's stddef.h"), std::string::npos) << stddef.err;
}

TEST(RelocatedScanner, OptionsWinOverItsPrefix) {
  RelocatedScanner scanner("relocated_options");
  scanner.AddGorayHeader("#error \"the prefix's goray.h\"\n");
  scanner.AddStddef(LlvmMajorVersion(), "#error \"the prefix's stddef.h\"\n");
  std::string options = "--goray-include '" + RuntimeInclude() + "' --resource-dir '" +
                        BuiltInResourceDir() + "'";
  RelocatedScanner::Run paths = scanner.Invoke("--print-paths " + options);
  ASSERT_EQ(paths.status, 0) << paths.err;
  EXPECT_NE(paths.out.find("goray-include: " + RuntimeInclude() + " (option)\n"),
            std::string::npos)
      << paths.out;
  EXPECT_NE(paths.out.find("resource-dir: " + BuiltInResourceDir() + " (option)\n"),
            std::string::npos)
      << paths.out;

  RelocatedScanner::Run scan = scanner.Invoke("'" + CasePath("driver/driver.cpp") + "' -o '" +
                                              scanner.root + "/driver.json' " + options);
  EXPECT_EQ(scan.status, 0) << scan.err;
  EXPECT_EQ(ReadFile(scanner.root + "/driver.json"), ReadFile(GoldenPath("driver")));
}

}  // namespace
}  // namespace goray::scan::testing
