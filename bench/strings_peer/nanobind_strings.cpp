// The strings benchmark's nanobind peer (bench/data_strings.py): strings_kernels.h bound two
// ways a team binds it today. `*_lists`: Python lists of str (to_pylist) in, a list out.
// `*_arrow`: Arrow's buffers by hand (offsets, data, validity and its bit offset in, the
// same out), which the Python side takes from and puts back into pyarrow arrays.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../strings_kernels.h"

namespace nb = nanobind;
using strings_bench::Hash2;
using strings_bench::NormalizeHost;

namespace {

using Strings = std::vector<std::optional<std::string>>;
using U8 = nb::ndarray<const std::uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using I32 = nb::ndarray<const std::int32_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// ---- lists -------------------------------------------------------------------------------

Strings HostsLists(const Strings& urls) {
  Strings hosts;
  hosts.reserve(urls.size());
  std::string scratch;
  for (const auto& url : urls) {
    if (url && NormalizeHost(*url, scratch) != 0) {
      hosts.emplace_back(scratch);
    } else {
      hosts.emplace_back();
    }
  }
  return hosts;
}

std::tuple<Strings, std::vector<std::uint64_t>> HostsAndHashLists(const Strings& urls, const Strings& agents) {
  std::vector<std::uint64_t> hashes(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    std::optional<std::string_view> url = urls[i] ? std::optional<std::string_view>(*urls[i]) : std::nullopt;
    std::optional<std::string_view> agent =
        agents[i] ? std::optional<std::string_view>(*agents[i]) : std::nullopt;
    hashes[i] = Hash2(url, agent);
  }
  return {HostsLists(urls), std::move(hashes)};
}

// ---- Arrow buffers -----------------------------------------------------------------------

// One string column as Arrow buffers: offsets (n + 1, of the column's slice), data, validity
// (empty: no nulls) from bit `bit_offset`.
struct Column {
  const std::int32_t* offsets;
  const char* data;
  const std::uint8_t* validity;
  std::int64_t bit_offset;
  std::optional<std::string_view> operator[](std::size_t i) const {
    const std::int64_t at = bit_offset + static_cast<std::int64_t>(i);
    if (validity != nullptr && !((validity[at >> 3] >> (at & 7)) & 1)) return std::nullopt;
    return std::string_view(data + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i]));
  }
};

Column MakeColumn(const I32& offsets, const U8& data, const U8& validity, std::int64_t bit_offset) {
  return {offsets.data(), reinterpret_cast<const char*>(data.data()), validity.size() ? validity.data() : nullptr,
          bit_offset};
}

template <class T>
nb::ndarray<nb::numpy, T, nb::ndim<1>> Owned(std::vector<T>&& values) {
  auto* kept = new std::vector<T>(std::move(values));
  nb::capsule owner(kept, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T, nb::ndim<1>>(kept->data(), {kept->size()}, owner);
}

// (offsets, data, validity) of the host column.
auto HostsArrow(const I32& offsets, const U8& data, const U8& validity, std::int64_t bit_offset) {
  const Column url = MakeColumn(offsets, data, validity, bit_offset);
  const std::size_t rows = offsets.size() - 1;
  std::vector<std::int32_t> out_offsets(rows + 1);
  std::vector<char> out_data;
  out_data.reserve(rows * 16);
  std::vector<std::uint8_t> out_validity((rows + 7) / 8, 0);
  std::string scratch;
  for (std::size_t i = 0; i < rows; ++i) {
    auto value = url[i];
    if (value && NormalizeHost(*value, scratch) != 0) {
      out_data.insert(out_data.end(), scratch.begin(), scratch.end());
      out_validity[i >> 3] |= static_cast<std::uint8_t>(1u << (i & 7));
    }
    out_offsets[i + 1] = static_cast<std::int32_t>(out_data.size());
  }
  std::vector<std::uint8_t> bytes(out_data.begin(), out_data.end());
  return std::make_tuple(Owned(std::move(out_offsets)), Owned(std::move(bytes)), Owned(std::move(out_validity)));
}

auto HostsAndHashArrow(const I32& url_offsets, const U8& url_data, const U8& url_validity, std::int64_t url_bit,
                       const I32& agent_offsets, const U8& agent_data, const U8& agent_validity,
                       std::int64_t agent_bit) {
  const Column url = MakeColumn(url_offsets, url_data, url_validity, url_bit);
  const Column agent = MakeColumn(agent_offsets, agent_data, agent_validity, agent_bit);
  const std::size_t rows = url_offsets.size() - 1;
  std::vector<std::uint64_t> hashes(rows);
  for (std::size_t i = 0; i < rows; ++i) hashes[i] = Hash2(url[i], agent[i]);
  auto [offsets, data, validity] = HostsArrow(url_offsets, url_data, url_validity, url_bit);
  return std::make_tuple(offsets, data, validity, Owned(std::move(hashes)));
}

}  // namespace

NB_MODULE(strings_nanobind, m) {
  m.def("hosts_lists", &HostsLists);
  m.def("hosts_and_hash_lists", &HostsAndHashLists);
  m.def("hosts_arrow", &HostsArrow);
  m.def("hosts_and_hash_arrow", &HostsAndHashArrow);
}
