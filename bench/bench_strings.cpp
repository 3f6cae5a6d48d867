// The strings benchmark's goray application (bench/data_strings.py): the log-cleaning
// functions of strings_kernels.h over Arrow string columns, read in place and built as
// Arrow. Hand-registered (the parameters' names for goray.data's columns_as="parameters").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <goray/goray.h>

#include "strings_kernels.h"

namespace strings_bench {

struct HostsHash {
  goray::StringColumnBuilder host;
  goray::Array<std::uint64_t> hash;
};

}  // namespace strings_bench

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<strings_bench::HostsHash> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const strings_bench::HostsHash& value) const {
      goray::codec::EncodeStructHeader(out, 2);
      goray::codec::EncodeField(out, "host", value.host);
      goray::codec::EncodeField(out, "hash", value.hash);
      return out;
    }
  };
  template <>
  struct convert<strings_bench::HostsHash> {
    const msgpack::object& operator()(const msgpack::object& object, strings_bench::HostsHash& value) const {
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

namespace strings_bench {
namespace {

// The host column: a row's normalized host, null for a null URL or one without a host.
goray::StringColumnBuilder Hosts(const goray::StringColumn& url) {
  goray::StringColumnBuilder host;
  host.Reserve(url.size(), url.size() * 16);
  std::string scratch;
  for (std::optional<std::string_view> value : url) {
    if (value && NormalizeHost(*value, scratch) != 0) {
      host.Append(scratch);
    } else {
      host.AppendNull();
    }
  }
  return host;
}

HostsHash HostsAndHash(const goray::StringColumn& url, const goray::StringColumn& agent) {
  HostsHash out{Hosts(url), goray::Array<std::uint64_t>::Zeros({static_cast<std::int64_t>(url.size())})};
  std::uint64_t* hash = out.hash.data();
  auto agents = agent.begin();
  for (std::optional<std::string_view> value : url) *hash++ = Hash2(value, *agents++);
  return out;
}

}  // namespace
}  // namespace strings_bench

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Hosts", &strings_bench::Hosts);
  registry.AddTask("HostsAndHash", &strings_bench::HostsAndHash);
  registry.SetParameters(R"({"tasks": {"Hosts": [{"name": "url"}],
                                       "HostsAndHash": [{"name": "url"}, {"name": "agent"}]}})");
}
