// The per-row C++ of the strings benchmark (bench/data_strings.py, `bash scripts/bench.sh
// data`): a log-cleaning library's two functions, compiled once (strings_kernels.cpp, a
// static library) and linked into goray's application (bench_strings.cpp) and its nanobind
// peer (strings_peer/nanobind_strings.cpp) alike, as a team's existing library would be: the
// two bindings then call the same machine code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strings_bench {

// A URL's host, normalized: lower case, without "www.", a port or user info; empty when
// the URL has none (the callers make that a null).
std::size_t NormalizeHost(std::string_view url, std::string& out);

// A 64-bit hash (FNV-1a) of two values, a null as its own byte.
std::uint64_t Hash2(std::optional<std::string_view> a, std::optional<std::string_view> b);

}  // namespace strings_bench
