// Where goray-scan finds the goray runtime's headers and clang's builtin headers.
//
// An installed scanner (<prefix>/bin/goray-scan, e.g. inside the pip wheel) looks next
// to itself first, so the whole prefix can move:
//   <prefix>/include                  when it holds goray/goray.h
//   <prefix>/lib/clang/<LLVM major>   when it holds include/stddef.h
// else it uses the directories baked in when it was built (the source tree's
// runtime/include, the build machine's clang resource directory).
#pragma once

#include <string>

namespace goray::scan {

// A directory the scanner uses and why it was chosen.
struct ChosenPath {
  std::string path;
  // "option" (given on the command line), "executable" (relative to the scanner),
  // "built-in" (baked in at build time)
  std::string origin;
};

// The running program's own path, symlinks resolved ("" when it cannot be found).
std::string ExecutablePath();

// `<prefix>/include` for the executable `<prefix>/bin/goray-scan` when it holds
// goray/goray.h, else `built_in`.
ChosenPath FindGorayInclude(const std::string& executable, const std::string& built_in);

// `<prefix>/lib/clang/<llvm_major>` when it holds include/stddef.h, else `built_in`.
ChosenPath FindResourceDir(const std::string& executable, unsigned llvm_major,
                           const std::string& built_in);

// The LLVM major version the scanner is built with (the resource directory's name).
unsigned LlvmMajorVersion();

// The baked-in directories (compile definitions of the goray_scanner library).
std::string BuiltInGorayInclude();
std::string BuiltInResourceDir();

// What the running scanner uses when no option names the directory.
ChosenPath DefaultGorayIncludePath();
ChosenPath DefaultResourceDirPath();

}  // namespace goray::scan
