// Expansion of the scanner's inputs into source files, and path arithmetic on them.
#include "source_files.h"

#include <algorithm>
#include <set>

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace goray::scan {
namespace {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

constexpr llvm::StringRef kHeaderExtensions[] = {".h", ".hpp", ".hh"};
constexpr llvm::StringRef kSourceExtensions[] = {".cpp", ".cc", ".cxx"};

bool HasExtension(llvm::StringRef file, llvm::ArrayRef<llvm::StringRef> extensions) {
  llvm::StringRef extension = path::extension(file);
  return std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
}

// Anything that is not a source file is parsed as a C++ header.
bool IsHeaderName(llvm::StringRef file) {
  return !HasExtension(file, kSourceExtensions);
}

bool IsGeneratedOutput(llvm::StringRef file) {
  llvm::StringRef name = path::filename(file);
  return name.ends_with(".goray.h") || name.ends_with(".goray.cpp");
}

std::vector<std::string> Components(llvm::StringRef absolute) {
  std::vector<std::string> parts;
  for (auto it = path::begin(absolute), end = path::end(absolute); it != end; ++it) {
    parts.emplace_back(*it);
  }
  return parts;
}

std::string JoinComponents(const std::vector<std::string>& parts, std::size_t count) {
  llvm::SmallString<256> joined;
  for (std::size_t i = 0; i < count; ++i) path::append(joined, parts[i]);
  return std::string(joined.str());
}

// Adds the source files under `directory` (recursively) to `files`.
bool ExpandDirectory(const std::string& directory, std::vector<std::string>& files,
                     std::string& error) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(directory, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef entry = it->path();
    llvm::StringRef name = path::filename(entry);
    if (it->type() == fs::file_type::directory_file) {
      if (name.starts_with(".")) it.no_push();
      continue;
    }
    if (name.starts_with(".") || IsGeneratedOutput(entry)) continue;
    if (HasExtension(entry, kHeaderExtensions) || HasExtension(entry, kSourceExtensions)) {
      files.push_back(RealPath(entry.str()));
    }
  }
  if (ec) {
    error = "cannot read directory '" + directory + "': " + ec.message();
    return false;
  }
  return true;
}

}  // namespace

std::string RealPath(const std::string& file) {
  llvm::SmallString<256> real;
  if (!fs::real_path(file, real, /*expand_tilde=*/false)) return std::string(real.str());
  llvm::SmallString<256> absolute(file);
  fs::make_absolute(absolute);
  path::remove_dots(absolute, /*remove_dot_dot=*/true);
  return std::string(absolute.str());
}

bool IsWithin(const std::string& file, const std::string& root) {
  std::vector<std::string> file_parts = Components(file);
  std::vector<std::string> root_parts = Components(root);
  if (root_parts.size() > file_parts.size()) return false;
  return std::equal(root_parts.begin(), root_parts.end(), file_parts.begin());
}

std::string RelativePath(const std::string& file, const std::string& root) {
  std::vector<std::string> file_parts = Components(file);
  std::vector<std::string> root_parts = Components(root);
  std::size_t common = 0;
  while (common < file_parts.size() && common < root_parts.size() &&
         file_parts[common] == root_parts[common]) {
    ++common;
  }
  std::string relative;
  for (std::size_t i = common; i < root_parts.size(); ++i) relative += "../";
  for (std::size_t i = common; i < file_parts.size(); ++i) {
    relative += file_parts[i];
    if (i + 1 < file_parts.size()) relative += "/";
  }
  return relative.empty() ? "." : relative;
}

std::optional<SourceSet> ExpandSources(const std::vector<std::string>& inputs,
                                       const std::string& root, std::string& error) {
  if (inputs.empty()) {
    error = "no source files given";
    return std::nullopt;
  }
  std::vector<std::string> files;
  std::vector<std::string> input_directories;  // for the default root
  for (const std::string& input : inputs) {
    fs::file_status status;
    if (std::error_code ec = fs::status(input, status)) {
      error = "no such file or directory: '" + input + "'";
      return std::nullopt;
    }
    std::string real = RealPath(input);
    if (fs::is_directory(status)) {
      input_directories.push_back(real);
      if (!ExpandDirectory(real, files, error)) return std::nullopt;
    } else {
      input_directories.push_back(std::string(path::parent_path(real)));
      files.push_back(real);
    }
  }

  SourceSet set;
  if (!root.empty()) {
    set.root = RealPath(root);
  } else {
    std::vector<std::string> common = Components(input_directories.front());
    std::size_t count = common.size();
    for (const std::string& directory : input_directories) {
      std::vector<std::string> parts = Components(directory);
      std::size_t i = 0;
      while (i < count && i < parts.size() && parts[i] == common[i]) ++i;
      count = i;
    }
    set.root = JoinComponents(common, count);
  }

  std::set<std::string> seen;
  for (const std::string& file : files) {
    if (!seen.insert(file).second) continue;
    set.files.push_back({file, RelativePath(file, set.root), IsHeaderName(file)});
  }
  if (set.files.empty()) {
    error = "no source files (*.h *.hpp *.hh *.cpp *.cc *.cxx) found in the inputs";
    return std::nullopt;
  }
  std::sort(set.files.begin(), set.files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.relative < b.relative; });
  return set;
}

}  // namespace goray::scan
