// Doc comments: the text of the comment directly above a declaration (`///`, `/** */`,
// or a plain `//` / `/* */`), or of a trailing `///<` / same-line `//` comment on a field
// or enumerator; comment markers stripped (docs/scanner-rules.md, "What each annotation
// exports").
#pragma once

#include <string>

namespace clang {
class ASTContext;
class Decl;
}  // namespace clang

namespace goray::scan {

// "" when the declaration has no doc comment. Needs ParseAllComments.
std::string DocComment(const clang::Decl& decl, clang::ASTContext& ast);

}  // namespace goray::scan
