// Positions and error reporting for one translation unit.
#include "tu_context.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/FileEntry.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Sema/Sema.h>

#include "source_files.h"

namespace goray::scan {

const Locator::FileFacts* Locator::Facts(clang::FileID file) {
  if (file.isInvalid()) return nullptr;
  auto found = facts_.find(file);
  if (found != facts_.end()) return &found->second;
  FileFacts facts;
  if (clang::OptionalFileEntryRef entry = sources_.getFileEntryRefForID(file)) {
    if (const std::string* relative = scanned_.Find(entry->getUniqueID())) {
      facts.scanned = true;
      facts.within_root = true;
      facts.name = *relative;
    } else {
      std::string real = RealPath(std::string(entry->getName()));
      facts.within_root = IsWithin(real, scanned_.root());
      facts.name = facts.within_root ? RelativePath(real, scanned_.root()) : real;
    }
  }
  return &facts_.try_emplace(file, std::move(facts)).first->second;
}

bool Locator::InScannedFile(clang::SourceLocation location) {
  if (location.isInvalid()) return false;
  const FileFacts* facts = Facts(sources_.getFileID(sources_.getExpansionLoc(location)));
  return facts != nullptr && facts->scanned;
}

Position Locator::Describe(clang::SourceLocation location) {
  Position position;
  if (location.isInvalid()) return position;
  clang::SourceLocation expansion = sources_.getExpansionLoc(location);
  auto [file, offset] = sources_.getDecomposedLoc(expansion);
  if (const FileFacts* facts = Facts(file)) position.file = facts->name;
  position.line = sources_.getLineNumber(file, offset);
  position.column = sources_.getColumnNumber(file, offset);
  return position;
}

std::optional<Position> Locator::PositionOf(clang::SourceLocation location) {
  if (location.isInvalid()) return std::nullopt;
  const FileFacts* facts = Facts(sources_.getFileID(sources_.getExpansionLoc(location)));
  if (facts == nullptr || !facts->within_root) return std::nullopt;
  return Describe(location);
}

Reporter::Reporter(clang::DiagnosticsEngine& engine)
    : engine_(engine),
      error_id_(engine.getCustomDiagID(clang::DiagnosticsEngine::Error, "%0")),
      // Custom diagnostics cannot be remapped, so the scan's -w does not hide these.
      warning_id_(engine.getCustomDiagID(clang::DiagnosticsEngine::Warning, "%0")),
      note_id_(engine.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0")) {}

void Reporter::Error(clang::SourceLocation location, const std::string& message) {
  engine_.Report(location, error_id_) << message;
}

void Reporter::Warning(clang::SourceLocation location, const std::string& message) {
  engine_.Report(location, warning_id_) << message;
}

void Reporter::Note(clang::SourceLocation location, const std::string& message) {
  engine_.Report(location, note_id_) << message;
}

namespace {

clang::PrintingPolicy MessagePolicy(const clang::LangOptions& language) {
  clang::PrintingPolicy policy(language);
  policy.SuppressInlineNamespace = true;
  policy.SuppressUnwrittenScope = true;
  return policy;
}

clang::PrintingPolicy CanonicalPolicy(const clang::LangOptions& language) {
  clang::PrintingPolicy policy(language);
  policy.SuppressInlineNamespace = true;
  policy.SuppressTagKeyword = true;
  policy.SuppressUnwrittenScope = true;
  return policy;
}

}  // namespace

TuContext::TuContext(clang::ASTContext& ast_context, const ScannedFiles& scanned,
                     Model& scan_model, clang::Sema* translation_unit_sema)
    : ast(ast_context),
      sources(ast_context.getSourceManager()),
      locator(ast_context.getSourceManager(), scanned),
      reporter(ast_context.getDiagnostics()),
      model(scan_model),
      message_policy(MessagePolicy(ast_context.getLangOpts())),
      canonical_policy(CanonicalPolicy(ast_context.getLangOpts())),
      sema(translation_unit_sema) {}

const clang::CXXRecordDecl* TuContext::Definition(const clang::CXXRecordDecl& record,
                                                  clang::SourceLocation use) {
  if (const clang::CXXRecordDecl* definition = record.getDefinition()) return definition;
  if (sema == nullptr || !llvm::isa<clang::ClassTemplateSpecializationDecl>(record)) {
    return nullptr;
  }
  // Instantiates it when the template has a definition; errors in the instantiation are
  // clang's own, reported as a compiler would report them.
  if (!sema->isCompleteType(use, ast.getRecordType(&record))) return nullptr;
  return record.getDefinition();
}

}  // namespace goray::scan
