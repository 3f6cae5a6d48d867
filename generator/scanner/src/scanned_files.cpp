// Scanned files by unique id.
#include "scanned_files.h"

#include <llvm/Support/FileSystem.h>

namespace goray::scan {

ScannedFiles::ScannedFiles(const SourceSet& sources) : root_(sources.root) {
  for (const SourceFile& file : sources.files) {
    llvm::sys::fs::UniqueID id;
    if (!llvm::sys::fs::getUniqueID(file.path, id)) relative_.emplace(id, file.relative);
  }
}

const std::string* ScannedFiles::Find(const llvm::sys::fs::UniqueID& id) const {
  auto found = relative_.find(id);
  return found == relative_.end() ? nullptr : &found->second;
}

bool ScannedFiles::Add(const llvm::sys::fs::UniqueID& id, const std::string& relative) {
  if (!relative_.emplace(id, relative).second) return false;
  added_.push_back(relative);
  return true;
}

}  // namespace goray::scan
