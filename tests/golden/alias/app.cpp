// Type aliases declared only in this .cpp file, used in task signatures: the IDL spells
// what they stand for, since generated headers cannot see them.
#include <cstdint>
#include <string>
#include <vector>

#include <goray/annotations.h>

using Words = std::vector<std::string>;

namespace text {
using Count = int64_t;
struct Stats {
  Count words = 0;
};
using StatsList = std::vector<Stats>;
}  // namespace text

struct GORAY_TASKS Tasks {
  Words Split(const std::string& line) { return {line}; }
  text::Count Count(const Words& words) { return static_cast<text::Count>(words.size()); }
  text::StatsList All(text::StatsList stats) { return stats; }
};
