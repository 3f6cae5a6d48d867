// The identity of the scanned files (by file-system unique id, so that symlinks and
// "dir/../file" spellings agree) and the root their IDL paths are relative to: the
// inputs, and the project headers they include (found while parsing).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <llvm/Support/FileSystem/UniqueID.h>

#include "source_files.h"

namespace goray::scan {

class ScannedFiles {
 public:
  explicit ScannedFiles(const SourceSet& sources);

  const std::string& root() const { return root_; }
  // The relative path of a scanned file, or nullptr when `id` is not one.
  const std::string* Find(const llvm::sys::fs::UniqueID& id) const;
  // Adds a project header a scanned file includes (project_headers.h); false when it
  // is scanned already.
  bool Add(const llvm::sys::fs::UniqueID& id, const std::string& relative);
  // The headers Add() added, relative to the root.
  const std::vector<std::string>& added() const { return added_; }

 private:
  std::string root_;
  std::map<llvm::sys::fs::UniqueID, std::string> relative_;
  std::vector<std::string> added_;
};

}  // namespace goray::scan
