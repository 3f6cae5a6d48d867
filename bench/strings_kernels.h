// The per-row C++ of the strings benchmark (bench/data_strings.py, `bash scripts/bench.sh
// data`): a log-cleaning library's two functions, the same code for goray (bench_strings.cpp)
// and for its nanobind peer (strings_peer/nanobind_strings.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strings_bench {

// A URL's host, normalized: lower case, without "www.", a port or user info; empty when
// the URL has none (the callers make that a null).
inline std::size_t NormalizeHost(std::string_view url, std::string& out) {
  std::string_view rest = url;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  rest = rest.substr(0, rest.find(':'));
  out.assign(rest);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (out.starts_with("www.")) out.erase(0, 4);
  return out.size();
}

// A 64-bit hash (FNV-1a) of two values, a null as its own byte.
inline std::uint64_t Hash2(std::optional<std::string_view> a, std::optional<std::string_view> b) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (auto value : {a, b}) {
    if (!value) {
      hash = (hash ^ 0xffU) * 1099511628211ULL;
      continue;
    }
    for (unsigned char c : *value) hash = (hash ^ c) * 1099511628211ULL;
    hash = (hash ^ 0xfeU) * 1099511628211ULL;
  }
  return hash;
}

}  // namespace strings_bench
