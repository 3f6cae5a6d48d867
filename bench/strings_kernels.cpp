// The log-cleaning library of the strings benchmark (declared in strings_kernels.h).
#include "strings_kernels.h"

namespace strings_bench {

std::size_t NormalizeHost(std::string_view url, std::string& out) {
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

std::uint64_t Hash2(std::optional<std::string_view> a, std::optional<std::string_view> b) {
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
