// The identity of the scanned files (by file-system unique id, so that symlinks and
// "dir/../file" spellings agree) and the root their IDL paths are relative to.
#pragma once

#include <map>
#include <string>

#include <llvm/Support/FileSystem/UniqueID.h>

#include "source_files.h"

namespace goray::scan {

class ScannedFiles {
 public:
  explicit ScannedFiles(const SourceSet& sources);

  const std::string& root() const { return root_; }
  // The relative path of a scanned file, or nullptr when `id` is not one.
  const std::string* Find(const llvm::sys::fs::UniqueID& id) const;

 private:
  std::string root_;
  std::map<llvm::sys::fs::UniqueID, std::string> relative_;
};

}  // namespace goray::scan
