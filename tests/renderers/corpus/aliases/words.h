#pragma once
#include <map>
#include <string>
#include <vector>

namespace text {
using Word = std::string;
template <class T>
using List = std::vector<T>;
using Counts = std::map<Word, int64_t>;
}  // namespace text
