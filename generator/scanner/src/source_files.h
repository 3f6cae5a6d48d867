// The scanner's inputs: files and directories expanded to the set of source files whose
// declarations are scanned, and the root directory that IDL paths are relative to
// (docs/scanner-rules.md, "Which files are scanned").
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace goray::scan {

struct SourceFile {
  std::string path;      // absolute, symlinks resolved
  std::string relative;  // to the root, '/'-separated (may start with "../")
  bool is_header = false;
};

struct SourceSet {
  std::string root;               // absolute, symlinks resolved
  std::vector<SourceFile> files;  // sorted by relative path, no duplicates
};

// Expands `inputs`: a file is taken as given (any extension); a directory is searched
// recursively for *.h *.hpp *.hh *.cpp *.cc *.cxx, skipping hidden directories and
// goray-gen outputs (*.goray.h, *.goray.cpp). `root` empty: the deepest directory
// containing every input. On failure returns nullopt and sets `error`.
std::optional<SourceSet> ExpandSources(const std::vector<std::string>& inputs,
                                       const std::string& root, std::string& error);

// `path` relative to `root` (both absolute and normalized), '/'-separated; "../" steps
// when `path` is outside `root`.
std::string RelativePath(const std::string& path, const std::string& root);

// Whether absolute normalized `path` is `root` or inside it.
bool IsWithin(const std::string& path, const std::string& root);

// The absolute, symlink-free form of `path`; falls back to an absolute path with
// "." and ".." removed when the file does not exist.
std::string RealPath(const std::string& path);

}  // namespace goray::scan
