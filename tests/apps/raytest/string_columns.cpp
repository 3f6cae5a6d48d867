// raytest part: string and binary columns on Ray and in Ray Data (tests/ray/test_string_columns.py,
// goray.data's string columns). A log batch: a URL column and a user-agent column, with
// nulls; a host column and a hash out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <goray/goray.h>

#include "parts.h"

namespace raytest {

// The output batch: a string column built row by row, and a hash per row.
struct HostHashes {
  goray::StringColumnBuilder host;
  goray::Array<uint64_t> hash;
};

}  // namespace raytest

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<raytest::HostHashes> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::HostHashes& value) const {
      goray::codec::EncodeStructHeader(out, 2);
      goray::codec::EncodeField(out, "host", value.host);
      goray::codec::EncodeField(out, "hash", value.hash);
      return out;
    }
  };
  template <>
  struct convert<raytest::HostHashes> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::HostHashes& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("host", value.host);
      decoder.Field("hash", value.hash);
      decoder.End();
      return object;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack

namespace raytest {
namespace {

// "https://WWW.Example.com:443/a" -> "example.com"; null for a null or a URL without a host.
std::optional<std::string> HostOf(std::optional<std::string_view> url) {
  if (!url) return std::nullopt;
  std::string_view rest = *url;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  rest = rest.substr(0, rest.find(':'));
  if (rest.empty()) return std::nullopt;
  std::string host(rest);
  for (char& c : host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (host.starts_with("www.")) host.erase(0, 4);
  return host;
}

// FNV-1a over both values (a null as one 0xff byte).
uint64_t Hash(std::optional<std::string_view> a, std::optional<std::string_view> b) {
  uint64_t hash = 1469598103934665603ULL;
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

HostHashes Hosts(const goray::StringColumn& url, const goray::BinaryColumn& agent) {
  HostHashes out{{}, goray::Array<uint64_t>::Zeros({static_cast<int64_t>(url.size())})};
  out.host.Reserve(url.size());
  auto agents = agent.begin();
  for (std::size_t row = 0; row < url.size(); ++row, ++agents) {
    auto value = url[row];
    out.host.Append(HostOf(value));
    out.hash[static_cast<int64_t>(row)] = Hash(value, *agents);
  }
  return out;
}

// The rows of a column, each upper-cased (a task through Ray: ext 78 both ways).
goray::StringColumnBuilder Shout(const goray::StringColumn& column) {
  goray::StringColumnBuilder out;
  for (auto value : column) {
    if (!value) {
      out.AppendNull();
      continue;
    }
    std::string upper(*value);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    out.Append(upper);
  }
  return out;
}

int64_t CountNulls(const goray::BinaryColumn& column) { return column.null_count(); }

// C++ -> C++ through Ray: a column built here, read by another task in its worker.
int64_t ShoutNulls(const goray::StringColumn& column) {
  goray::StringColumnBuilder built = Shout(column);
  return goray::RemoteCall("StringNulls", built).Get<int64_t>();
}

// An actor keeping a count of the rows it saw.
class RowCounter {
 public:
  int64_t Add(const goray::StringColumn& column) { return rows_ += static_cast<int64_t>(column.size()); }
  HostHashes Apply(const goray::StringColumn& url, const goray::BinaryColumn& agent) { return Hosts(url, agent); }

 private:
  int64_t rows_ = 0;
};

}  // namespace

void RegisterStringColumns(goray::Registry& registry) {
  registry.AddTask("StringHosts", &Hosts);
  registry.AddTask("StringShout", &Shout);
  registry.AddTask("StringNulls", &CountNulls);
  registry.AddTask("StringShoutNulls", &ShoutNulls);
  registry.AddActor<RowCounter>("StringRowCounter", &goray::Constructor<RowCounter>::Create)
      .AddMethod("Add", &RowCounter::Add)
      .AddMethod("Apply", &RowCounter::Apply);
}

}  // namespace raytest
