// Scan(): inputs -> compile commands -> one parse per translation unit -> the IDL.
//
// Translation units: every source file (*.cpp *.cc *.cxx, and any file given by name
// that is not a header), then every header that no earlier translation unit included
// (so each header is parsed once, and a header-only input is still read).
#include "goray/scan/scan.h"
#include "goray/scan/install_paths.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/FileManager.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include "actor_handles.h"
#include "concurrency.h"
#include "keep_gil.h"
#include "diagnostics.h"
#include "idl_writer.h"
#include "model.h"
#include "scan_action.h"
#include "scanned_files.h"
#include "source_files.h"

namespace goray::scan {

std::string DefaultGorayInclude() { return DefaultGorayIncludePath().path; }
std::string DefaultResourceDir() { return DefaultResourceDirPath().path; }

namespace {

namespace tooling = clang::tooling;

ScanResult Failure(const std::string& message) {
  ScanResult result;
  result.diagnostics.push_back({"", 0, 0, "error", message});
  result.rendered_diagnostics = "goray-scan: error: " + message + "\n";
  return result;
}

// Flags added to every compile command: C++20 unless the command says otherwise (it
// comes later and wins), clang's builtin headers, the directory of <goray/goray.h> last
// (as -I: as -isystem, clang takes twice as long over the standard headers it includes),
// no warnings (the compiler shows them; the scanner shows errors), then the caller's
// extra arguments.
tooling::ArgumentsAdjuster CommonAdjuster(const ScanOptions& options) {
  std::string resource_dir =
      options.resource_dir.empty() ? DefaultResourceDir() : options.resource_dir;
  std::string goray_include =
      options.goray_include.empty() ? DefaultGorayInclude() : options.goray_include;
  tooling::CommandLineArguments front = {"-std=c++20", "-resource-dir=" + resource_dir};
  tooling::CommandLineArguments back = {"-I" + goray_include, "-w"};
  back.insert(back.end(), options.extra_args.begin(), options.extra_args.end());
  return tooling::combineAdjusters(
      tooling::getInsertArgumentAdjuster(front, tooling::ArgumentInsertPosition::BEGIN),
      tooling::getInsertArgumentAdjuster(back, tooling::ArgumentInsertPosition::END));
}

}  // namespace

ScanResult Scan(const std::vector<std::string>& sources, const ScanOptions& options) {
  std::string error;
  std::optional<SourceSet> source_set = ExpandSources(sources, options.root, error);
  if (!source_set) return Failure(error);

  std::unique_ptr<tooling::CompilationDatabase> database;
  if (!options.build_dir.empty()) {
    database = tooling::CompilationDatabase::loadFromDirectory(options.build_dir, error);
    if (!database) {
      return Failure("cannot read a compilation database in '" + options.build_dir +
                     "': " + error);
    }
    database = tooling::inferMissingCompileCommands(std::move(database));
  } else {
    database = std::make_unique<tooling::FixedCompilationDatabase>(
        ".", std::vector<std::string>{});
  }

  ScanResult result;
  llvm::raw_string_ostream rendered(result.rendered_diagnostics);
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> diagnostic_options =
      new clang::DiagnosticOptions();
  diagnostic_options->ShowColors = false;
  CollectingDiagnostics diagnostics(rendered, diagnostic_options.get(), source_set->root);

  ScannedFiles scanned(*source_set);
  Model model;
  // Clang's "N errors generated." after each file would count the whole scan's errors
  // so far; the scan writes one total at the end instead.
  ScanState state{scanned, model,
                  options.goray_include.empty() ? DefaultGorayInclude() : options.goray_include,
                  {}, llvm::nulls()};
  auto files = llvm::makeIntrusiveRefCnt<clang::FileManager>(clang::FileSystemOptions{});
  tooling::ArgumentsAdjuster common = CommonAdjuster(options);
  bool failed = false;

  auto parse = [&](const SourceFile& file) {
    tooling::ClangTool tool(*database, {file.path},
                            std::make_shared<clang::PCHContainerOperations>(),
                            llvm::vfs::getRealFileSystem(), files);
    tool.setPrintErrorMessage(false);
    tool.setDiagnosticConsumer(&diagnostics);
    if (file.is_header) {
      tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
          "-xc++-header", tooling::ArgumentInsertPosition::BEGIN));
    }
    tool.appendArgumentsAdjuster(common);
    ScanToolAction action(state);
    // The consumer is shared by every file; clang judges a parse by the consumer's error
    // count, so it starts from zero for each file (else every file after a broken one
    // would count as broken).
    diagnostics.clear();
    unsigned errors_before = diagnostics.received_error_count();
    int status = tool.run(&action);
    if (status == 1 && diagnostics.received_error_count() == errors_before) {
      rendered << "goray-scan: error: clang could not parse '" << file.path << "'\n";
      result.diagnostics.push_back({file.relative, 0, 0, "error", "clang could not parse it"});
    } else if (status == 2) {
      rendered << "goray-scan: error: no compile command for '" << file.path << "'\n";
      result.diagnostics.push_back(
          {file.relative, 0, 0, "error", "no compile command for this file"});
    }
    if (status != 0) failed = true;
  };

  for (const SourceFile& file : source_set->files) {
    if (!file.is_header) parse(file);
  }
  for (const SourceFile& file : source_set->files) {
    if (!file.is_header) continue;
    llvm::sys::fs::UniqueID id;
    if (!llvm::sys::fs::getUniqueID(file.path, id) && state.seen_files.count(id) != 0) {
      continue;
    }
    parse(file);
  }
  // Typed actor handles name the actor type building their class, and a concurrency
  // marker belongs to an actor type or not: known only now.
  idl::Document document;
  std::vector<Diagnostic> late;
  std::string late_rendered;
  if (!failed && diagnostics.error_count() == 0) {
    std::vector<std::string> relative_sources = scanned.added();
    for (const SourceFile& file : source_set->files) relative_sources.push_back(file.relative);
    std::sort(relative_sources.begin(), relative_sources.end());
    document = model.ToDocument(std::move(relative_sources));
    ResolveActorHandles(document, model, late, late_rendered);
    CheckConcurrencyMarkers(model, late, late_rendered);
    CheckKeepGilMarkers(model, late, late_rendered);
    rendered << late_rendered;
  }
  // As clang counts them: "1 warning and 2 errors generated."
  auto late_count = [&](const char* severity) {
    return static_cast<unsigned>(std::count_if(
        late.begin(), late.end(), [&](const Diagnostic& d) { return d.severity == severity; }));
  };
  unsigned warnings = diagnostics.warning_count() + late_count("warning");
  unsigned errors = diagnostics.error_count() + late_count("error");
  if (warnings > 0) rendered << warnings << (warnings == 1 ? " warning" : " warnings");
  if (warnings > 0 && errors > 0) rendered << " and ";
  if (errors > 0) rendered << errors << (errors == 1 ? " error" : " errors");
  if (warnings > 0 || errors > 0) rendered << " generated.\n";
  rendered.flush();

  std::vector<Diagnostic> collected = diagnostics.diagnostics();
  collected.insert(collected.end(), late.begin(), late.end());
  result.diagnostics.insert(result.diagnostics.begin(), collected.begin(), collected.end());
  if (failed || errors > 0) return result;

  result.idl = WriteIdl(document);
  result.ok = true;
  return result;
}

}  // namespace goray::scan
