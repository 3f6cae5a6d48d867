// goray-scan: reads C++ sources with goray markers and writes the IDL (JSON).
//
//   goray-scan SRC... -o FILE.json [--root DIR] [--goray-include DIR] [--resource-dir DIR]
//              [-p BUILD_DIR] [-- CLANG_ARGS...]
//   goray-scan --print-paths [--goray-include DIR] [--resource-dir DIR]
//
// Exit status: 0 written; 1 bad input (clang-style diagnostics on stderr, nothing
// written); 2 bad command line. The work is done by goray::scan::Scan().
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "goray/scan/install_paths.h"
#include "goray/scan/scan.h"

namespace {

constexpr const char* kUsage =
    "usage: goray-scan SRC... -o FILE.json [--root DIR] [--goray-include DIR]\n"
    "                  [--resource-dir DIR] [-p BUILD_DIR] [-- CLANG_ARGS...]\n"
    "       goray-scan --print-paths [--goray-include DIR] [--resource-dir DIR]\n"
    "  SRC                files or directories (searched for *.h *.hpp *.hh *.cpp *.cc *.cxx)\n"
    "  -o FILE            where to write the IDL ('-': stdout); written only on success\n"
    "  --root DIR         IDL source paths are relative to DIR (default: the inputs'\n"
    "                     common directory)\n"
    "  --goray-include DIR  the directory holding <goray/goray.h> (default: <prefix>/include\n"
    "                     for <prefix>/bin/goray-scan when it is there, else the built-in one)\n"
    "  --resource-dir DIR clang's resource directory, the builtin headers (default:\n"
    "                     <prefix>/lib/clang/<LLVM major> when it is there, else the built-in one)\n"
    "  --print-paths      print the executable and the directories used, then exit\n"
    "  -p BUILD_DIR       take compile flags from BUILD_DIR/compile_commands.json\n"
    "  -- CLANG_ARGS      extra clang arguments (default language: -std=c++20)\n";

struct CommandLine {
  std::vector<std::string> sources;
  std::string output;
  goray::scan::ScanOptions options;
  bool print_paths = false;
};

int UsageError(const std::string& message) {
  std::cerr << "goray-scan: error: " << message << "\n" << kUsage;
  return 2;
}

// --print-paths: what a scan with these options would use, one "name: value" a line.
int PrintPaths(const goray::scan::ScanOptions& options) {
  auto chosen = [](const std::string& option, const goray::scan::ChosenPath& fallback) {
    return option.empty() ? fallback.path + " (" + fallback.origin + ")"
                          : option + " (option)";
  };
  std::cout << "executable: " << goray::scan::ExecutablePath() << "\n"
            << "goray-include: "
            << chosen(options.goray_include, goray::scan::DefaultGorayIncludePath()) << "\n"
            << "resource-dir: "
            << chosen(options.resource_dir, goray::scan::DefaultResourceDirPath()) << "\n";
  return 0;
}

// Parses `argv`; returns -1 to go on, else the exit status.
int Parse(int argc, char** argv, CommandLine& line) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag, std::string& out) {
      if (arg == flag) {
        if (i + 1 >= argc) return false;
        out = argv[++i];
        return true;
      }
      out = std::string(arg.substr(flag.size() + (arg[flag.size()] == '=' ? 1 : 0)));
      return true;
    };
    auto matches = [&](std::string_view flag, bool glued) {
      return arg == flag || (arg.rfind(std::string(flag) + "=", 0) == 0) ||
             (glued && arg.size() > flag.size() && arg.rfind(flag, 0) == 0);
    };
    if (arg == "--") {
      for (++i; i < argc; ++i) line.options.extra_args.emplace_back(argv[i]);
      break;
    }
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--version") {
      std::cout << goray::scan::kGeneratorName << " " << goray::scan::kGeneratorVersion
                << " (IDL version " << goray::scan::kIdlVersion << ")\n";
      return 0;
    }
    bool ok = true;
    if (matches("-o", true)) {
      ok = value("-o", line.output);
    } else if (matches("--output", false)) {
      ok = value("--output", line.output);
    } else if (matches("--root", false)) {
      ok = value("--root", line.options.root);
    } else if (matches("--goray-include", false)) {
      ok = value("--goray-include", line.options.goray_include);
    } else if (matches("--resource-dir", false)) {
      ok = value("--resource-dir", line.options.resource_dir);
    } else if (arg == "--print-paths") {
      line.print_paths = true;
      continue;
    } else if (matches("-p", true)) {
      ok = value("-p", line.options.build_dir);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError("unknown option '" + std::string(arg) + "'");
    } else {
      line.sources.emplace_back(arg);
      continue;
    }
    if (!ok) return UsageError("option '" + std::string(arg) + "' needs a value");
  }
  if (line.print_paths) return PrintPaths(line.options);
  if (line.sources.empty()) return UsageError("no source files given");
  if (line.output.empty()) return UsageError("no output file given (-o FILE.json)");
  return -1;
}

// Writes `text` to `path` through a temporary file renamed into place.
bool Write(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return static_cast<bool>(std::cout.flush());
  }
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!(out << text) || !out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine line;
  if (int status = Parse(argc, argv, line); status >= 0) return status;
  goray::scan::ScanResult result = goray::scan::Scan(line.sources, line.options);
  std::cerr << result.rendered_diagnostics;
  if (!result.ok) return 1;
  if (!Write(line.output, goray::scan::FormatIdl(result.idl))) {
    std::cerr << "goray-scan: error: cannot write '" << line.output << "'\n";
    return 1;
  }
  return 0;
}
