// Type aliases in signatures: from a header, an alias template, and one declared only
// in this .cpp (the generated header cannot name it: its canonical type is spelled).
#include <goray/goray.h>

#include <cstdint>

#include "words.h"

using Words = std::vector<std::string>;  // only here
typedef std::map<std::string, Words> Index;

struct GORAY_TASKS Tasks {
  Words Split(const text::Word& line) { return {line}; }
  text::Counts Count(const text::List<text::Word>& words) {
    text::Counts counts;
    for (const auto& word : words) ++counts[word];
    return counts;
  }
  Index Group(Words words) { return {{"all", words}}; }
};
