// Doc comment extraction with clang's raw comment API.
#include "doc_comments.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/Decl.h>
#include <clang/AST/RawCommentList.h>
#include <clang/Basic/SourceManager.h>

namespace goray::scan {
namespace {

// Whether `text` holds an empty line: a comment that a blank line separates from the
// declaration is not "directly above" it.
bool HasBlankLine(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef, 8> lines;
  text.split(lines, '\n');
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    if (lines[i].trim().empty()) return true;
  }
  return false;
}

// Strips the decoration of block comments ("* " at the start of a line) that
// getFormattedText leaves, the indentation common to all lines, and blank lines at
// either end.
std::string Tidy(const std::string& formatted) {
  llvm::SmallVector<llvm::StringRef, 8> split;
  llvm::StringRef(formatted).split(split, '\n');
  std::vector<std::string> lines;
  std::size_t indent = std::string::npos;
  for (llvm::StringRef line : split) {
    llvm::StringRef trimmed = line.ltrim();
    if (trimmed == "*") {
      line = "";
    } else if (trimmed.starts_with("* ")) {
      line = trimmed.drop_front(2);
    }
    line = line.rtrim();
    if (!line.empty()) indent = std::min(indent, line.size() - line.ltrim().size());
    lines.push_back(line.str());
  }
  std::string text;
  for (const std::string& line : lines) {
    if (!text.empty() || !line.empty()) {
      text += line.empty() ? line : line.substr(indent);
      text += '\n';
    }
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Where `decl` starts in its file, its goray markers included (a marker written before
// the declaration, `GORAY_ACTOR_OPTIONS(...) static T* Make();`, may come first).
clang::SourceLocation WrittenStart(const clang::Decl& decl, const clang::SourceManager& sources) {
  clang::SourceLocation start = sources.getExpansionLoc(decl.getBeginLoc());
  if (!decl.hasAttrs()) return start;
  for (const clang::Attr* attribute : decl.attrs()) {
    clang::SourceLocation at = attribute->getLocation();
    if (at.isInvalid()) continue;
    at = sources.getExpansionLoc(at);
    if (sources.isBeforeInTranslationUnit(at, start)) start = at;
  }
  return start;
}

// The comment that ends directly above `decl`, only white space between. Clang declines
// one when braces stand between it and the declaration's name, which a marker's JSON
// (GORAY_ACTOR_OPTIONS(R"({...})")) puts there.
const clang::RawComment* CommentAbove(const clang::Decl& decl, clang::ASTContext& ast) {
  const clang::SourceManager& sources = ast.getSourceManager();
  clang::SourceLocation start = WrittenStart(decl, sources);
  if (start.isInvalid()) return nullptr;
  auto [file, offset] = sources.getDecomposedLoc(start);
  const std::map<unsigned, clang::RawComment*>* comments = ast.Comments.getCommentsInFile(file);
  if (comments == nullptr) return nullptr;
  auto after = comments->lower_bound(offset);
  if (after == comments->begin()) return nullptr;
  const clang::RawComment* comment = std::prev(after)->second;
  if (comment->isTrailingComment()) return nullptr;
  auto [end_file, end_offset] = sources.getDecomposedLoc(sources.getExpansionLoc(comment->getEndLoc()));
  if (end_file != file || end_offset > offset) return nullptr;
  llvm::StringRef between = sources.getBufferData(file).substr(end_offset, offset - end_offset);
  return between.trim().empty() ? comment : nullptr;
}

}  // namespace

std::string DocComment(const clang::Decl& decl, clang::ASTContext& ast) {
  const clang::RawComment* comment = ast.getRawCommentForDeclNoCache(&decl);
  if (comment == nullptr) comment = CommentAbove(decl, ast);
  if (comment == nullptr) return {};
  const clang::SourceManager& sources = ast.getSourceManager();
  if (!comment->isTrailingComment()) {
    clang::SourceLocation comment_end = sources.getExpansionLoc(comment->getEndLoc());
    clang::SourceLocation decl_begin = sources.getExpansionLoc(decl.getBeginLoc());
    auto [end_file, end_offset] = sources.getDecomposedLoc(comment_end);
    auto [decl_file, decl_offset] = sources.getDecomposedLoc(decl_begin);
    if (end_file != decl_file || decl_offset < end_offset) return {};
    llvm::StringRef between =
        sources.getBufferData(end_file).substr(end_offset, decl_offset - end_offset);
    if (HasBlankLine(between)) return {};
  }
  return Tidy(comment->getFormattedText(sources, ast.getDiagnostics()));
}

}  // namespace goray::scan
