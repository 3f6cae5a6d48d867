// Parsing one translation unit and collecting its declarations.
#include "scan_action.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Sema/SemaConsumer.h>

#include "collector.h"
#include "project_headers.h"
#include "tu_context.h"

namespace goray::scan {
namespace {

// A SemaConsumer: the collector may need Sema to instantiate a class template
// specialization a signature names (TuContext::Definition).
class ScanConsumer : public clang::SemaConsumer {
 public:
  ScanConsumer(ScanState& state, clang::Preprocessor& preprocessor)
      : state_(state), preprocessor_(preprocessor) {}

  void InitializeSema(clang::Sema& sema) override { sema_ = &sema; }
  void ForgetSema() override { sema_ = nullptr; }

  void HandleTranslationUnit(clang::ASTContext& ast) override {
    const clang::SourceManager& sources = ast.getSourceManager();
    for (auto file = sources.fileinfo_begin(); file != sources.fileinfo_end(); ++file) {
      state_.seen_files.insert(file->first.getUniqueID());
    }
    // After a clang error the AST is incomplete; clang's diagnostics say what to fix.
    if (ast.getDiagnostics().hasErrorOccurred()) return;
    AddProjectHeaders(preprocessor_, state_.scanned, state_.goray_include);
    TuContext tu(ast, state_.scanned, state_.model, sema_);
    Collector(tu).Run(*ast.getTranslationUnitDecl());
  }

 private:
  ScanState& state_;
  clang::Preprocessor& preprocessor_;
  clang::Sema* sema_ = nullptr;
};

class ScanAction : public clang::ASTFrontendAction {
 public:
  explicit ScanAction(ScanState& state) : state_(state) {}

 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& compiler,
                                                        llvm::StringRef) override {
    return std::make_unique<ScanConsumer>(state_, compiler.getPreprocessor());
  }

 private:
  ScanState& state_;
};

}  // namespace

bool ScanToolAction::runInvocation(std::shared_ptr<clang::CompilerInvocation> invocation,
                                   clang::FileManager* files,
                                   std::shared_ptr<clang::PCHContainerOperations> pch_operations,
                                   clang::DiagnosticConsumer* diagnostics) {
  // Only declarations matter: skip function bodies (those clang needs, like constexpr
  // functions and deduced return types, it still parses), and keep every comment so
  // that plain // comments become docs.
  invocation->getFrontendOpts().SkipFunctionBodies = true;
  invocation->getLangOpts().CommentOpts.ParseAllComments = true;

  clang::CompilerInstance compiler(std::move(pch_operations));
  compiler.setInvocation(std::move(invocation));
  compiler.setFileManager(files);
  compiler.createDiagnostics(diagnostics, /*ShouldOwnClient=*/false);
  if (!compiler.hasDiagnostics()) return false;
  compiler.setVerboseOutputStream(state_.statistics);
  compiler.createSourceManager(*files);
  ScanAction action(state_);
  bool ok = compiler.ExecuteAction(action);
  files->clearStatCache();
  return ok;
}

}  // namespace goray::scan
