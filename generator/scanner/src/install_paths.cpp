// The scanner's directories, relative to its executable first (see install_paths.h).
#include "goray/scan/install_paths.h"

#include <initializer_list>

#include <llvm/ADT/SmallString.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#ifndef GORAY_SCAN_DEFAULT_INCLUDE
#error "GORAY_SCAN_DEFAULT_INCLUDE (the runtime's include directory) must be defined"
#endif
#ifndef GORAY_SCAN_RESOURCE_DIR
#error "GORAY_SCAN_RESOURCE_DIR (clang's resource directory) must be defined"
#endif

namespace goray::scan {
namespace {

// `<executable>/../..`: the prefix of `<prefix>/bin/goray-scan`; "" when unknown.
std::string PrefixOf(const std::string& executable) {
  if (executable.empty()) return "";
  llvm::StringRef bin = llvm::sys::path::parent_path(executable);
  return llvm::sys::path::parent_path(bin).str();
}

// `base/part/...` (an empty StringRef given to path::append would add a trailing '/').
std::string Join(const std::string& base, std::initializer_list<llvm::StringRef> parts) {
  llvm::SmallString<256> joined(base);
  for (llvm::StringRef part : parts) llvm::sys::path::append(joined, part);
  return std::string(joined);
}

}  // namespace

std::string ExecutablePath() {
  // On Linux LLVM reads /proc/self/exe; its fallback searches PATH for argv0, so give it
  // an argv0 that can only name this process (nothing is found without /proc).
  static int anchor;
  return llvm::sys::fs::getMainExecutable("/proc/self/exe", &anchor);
}

ChosenPath FindGorayInclude(const std::string& executable, const std::string& built_in) {
  std::string prefix = PrefixOf(executable);
  if (!prefix.empty()) {
    std::string include = Join(prefix, {"include"});
    if (llvm::sys::fs::is_regular_file(Join(include, {"goray", "goray.h"}))) {
      return {include, "executable"};
    }
  }
  return {built_in, "built-in"};
}

ChosenPath FindResourceDir(const std::string& executable, unsigned llvm_major,
                           const std::string& built_in) {
  std::string prefix = PrefixOf(executable);
  if (!prefix.empty()) {
    std::string resource = Join(prefix, {"lib", "clang", std::to_string(llvm_major)});
    if (llvm::sys::fs::is_regular_file(Join(resource, {"include", "stddef.h"}))) {
      return {resource, "executable"};
    }
  }
  return {built_in, "built-in"};
}

unsigned LlvmMajorVersion() { return LLVM_VERSION_MAJOR; }

std::string BuiltInGorayInclude() { return GORAY_SCAN_DEFAULT_INCLUDE; }
std::string BuiltInResourceDir() { return GORAY_SCAN_RESOURCE_DIR; }

ChosenPath DefaultGorayIncludePath() {
  return FindGorayInclude(ExecutablePath(), BuiltInGorayInclude());
}

ChosenPath DefaultResourceDirPath() {
  return FindResourceDir(ExecutablePath(), LlvmMajorVersion(), BuiltInResourceDir());
}

}  // namespace goray::scan
