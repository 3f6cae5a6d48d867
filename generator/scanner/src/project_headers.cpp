// Finding the project headers of a translation unit: see project_headers.h.
#include "project_headers.h"

#include <set>

#include <clang/Basic/SourceManager.h>
#include <clang/Lex/HeaderSearch.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Path.h>

#include "source_files.h"

namespace goray::scan {
namespace {

// Header files by name: not a .cpp that something includes, not an .inc or .def file
// meant to be included several times, not goray-gen's own outputs.
bool IsHeaderFileName(llvm::StringRef name) {
  llvm::StringRef file = llvm::sys::path::filename(name);
  if (file.ends_with(".goray.h")) return false;
  llvm::StringRef extension = llvm::sys::path::extension(file);
  return extension == ".h" || extension == ".hh" || extension == ".hpp" || extension == ".hxx";
}

}  // namespace

void AddProjectHeaders(clang::Preprocessor& preprocessor, ScannedFiles& scanned,
                       const std::string& goray_include) {
  clang::SourceManager& sources = preprocessor.getSourceManager();
  clang::HeaderSearch& search = preprocessor.getHeaderSearchInfo();
  clang::DiagnosticsEngine& engine = preprocessor.getDiagnostics();
  unsigned warning = engine.getCustomDiagID(clang::DiagnosticsEngine::Warning, "%0");
  std::string goray_directory = goray_include.empty() ? "" : RealPath(goray_include);
  std::set<llvm::sys::fs::UniqueID> reported;
  for (unsigned i = 0; i < sources.local_sloc_entry_size(); ++i) {
    const clang::SrcMgr::SLocEntry& entry = sources.getLocalSLocEntry(i);
    if (!entry.isFile()) continue;
    const clang::SrcMgr::FileInfo& info = entry.getFile();
    clang::OptionalFileEntryRef file = info.getContentCache().OrigEntry;
    if (!file || info.getIncludeLoc().isInvalid() ||
        info.getFileCharacteristic() != clang::SrcMgr::C_User ||
        !IsHeaderFileName(file->getName()) || scanned.Find(file->getUniqueID()) != nullptr) {
      continue;
    }
    std::string real = RealPath(std::string(file->getName()));
    if (!IsWithin(real, scanned.root()) ||
        (!goray_directory.empty() && IsWithin(real, goray_directory))) {
      continue;
    }
    std::string relative = RelativePath(real, scanned.root());
    if (!search.isFileMultipleIncludeGuarded(*file)) {
      if (reported.insert(file->getUniqueID()).second) {
        engine.Report(info.getIncludeLoc(), warning)
            << "'" + relative +
                   "' has no include guard, so the generated header cannot include it "
                   "as well, and goray does not scan it (its structs get no typed C++ "
                   "wrappers); add '#pragma once' to it";
      }
      continue;
    }
    scanned.Add(file->getUniqueID(), relative);
  }
}

}  // namespace goray::scan
