// libFuzzer target: the value codec. Arbitrary bytes are unpacked with the
// runtime's limits, then decoded as many C++ types and as goray::Value; every
// failure must be a goray::codec::DecodeError (or msgpack's own unpack error),
// and whatever decodes must encode again and decode to the same value (arrays
// included: ext 71 and nested lists; string columns: ext 78 and lists of strs, written
// as ext 78 with EnableFeatures bit 64 on).
#include <array>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <goray/goray.h>
#include <goray/detail/features.h>

namespace {

template <class T>
constexpr bool kUnordered = false;
template <class K, class V>
constexpr bool kUnordered<std::unordered_map<K, V>> = true;

// Float arrays decoded from ext 71 keep signaling NaNs bit for bit; their
// nested-list form goes through msgpack-c's float32 -> double, which quiets
// them. One pass through the nested form normalizes that before comparing.
template <class T>
constexpr bool kFloatArray = false;
template <class E>
constexpr bool kFloatArray<goray::Array<E>> = !std::is_integral_v<E>;

template <class T>
T Normalized(T value) {
  if constexpr (kFloatArray<T>) {
    goray::codec::Buffer buffer;
    goray::codec::Packer packer(buffer);
    goray::codec::Encode(packer, value);
    msgpack::object_handle again = msgpack::unpack(buffer.data(), buffer.size());
    return goray::codec::Decode<T>(again.get());
  } else {
    return value;
  }
}

template <class T>
void TryDecode(const msgpack::object& object) {
  try {
    T value = Normalized(goray::codec::Decode<T>(object));
    goray::codec::Buffer buffer;
    goray::codec::Packer packer(buffer);
    goray::codec::Encode(packer, value);
    msgpack::object_handle again = msgpack::unpack(buffer.data(), buffer.size());
    T back = goray::codec::Decode<T>(again.get());
    if constexpr (kUnordered<T>) {
      // Iteration order (so the encoding) depends on insertion history: compare values.
      if (!(back == value)) std::abort();
      return;
    }
    // The codec must round-trip what it accepted (compared as bytes: NaN != NaN).
    goray::codec::Buffer second;
    goray::codec::Packer second_packer(second);
    goray::codec::Encode(second_packer, back);
    if (second.size() != buffer.size() ||
        std::memcmp(second.data(), buffer.data(), buffer.size()) != 0) {
      std::abort();
    }
  } catch (const goray::codec::DecodeError& error) {
    if (error.expected().empty() || error.received().empty()) std::abort();
    (void)error.what();
  } catch (const std::length_error& error) {
    // Encode's documented refusal of a size over a limit: an empty array of
    // shape (2**40, 0) decodes from ext 71 but has no nested-list form of a
    // sane size (arrays are not enabled here).
    if (std::string_view(error.what()).find("over ") == std::string_view::npos) {
      std::abort();
    }
  }
}

bool ReferenceEverything(msgpack::type::object_type, std::size_t, void*) { return true; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // goray::Value from raw msgpack (its own parser entry point).
  try {
    goray::Value value = goray::Value::FromMsgpack(bytes);
    (void)value.kind();
  } catch (const std::exception&) {
  }
  msgpack::zone zone;
  std::size_t offset = 0;
  msgpack::object object;
  try {
    bool referenced = false;
    object = msgpack::unpack(zone, bytes.data(), bytes.size(), offset, referenced,
                             &ReferenceEverything, nullptr,
                             msgpack::unpack_limit(size, size, size, size, size, 1000));
  } catch (const std::exception&) {
    return 0;  // not msgpack: the runtime reports it as a ProtocolError
  }
  TryDecode<bool>(object);
  TryDecode<int8_t>(object);
  TryDecode<uint8_t>(object);
  TryDecode<int32_t>(object);
  TryDecode<int64_t>(object);
  TryDecode<uint64_t>(object);
  TryDecode<float>(object);
  TryDecode<double>(object);
  TryDecode<std::string>(object);
  TryDecode<std::vector<uint8_t>>(object);
  TryDecode<std::vector<int32_t>>(object);
  TryDecode<std::vector<std::string>>(object);
  TryDecode<std::vector<std::vector<int64_t>>>(object);
  TryDecode<std::map<std::string, int64_t>>(object);
  TryDecode<std::map<int64_t, std::vector<double>>>(object);
  TryDecode<std::unordered_map<std::string, std::string>>(object);
  TryDecode<std::set<int16_t>>(object);
  TryDecode<std::optional<std::string>>(object);
  TryDecode<std::optional<std::vector<uint32_t>>>(object);
  TryDecode<std::tuple<int64_t, std::string>>(object);
  TryDecode<std::array<int8_t, 3>>(object);
  TryDecode<goray::Value>(object);
  // Arrays: ext 71 inline data and nested lists. Arrays are never enabled in
  // this process, so ext 72 (an address) is always refused, never followed.
  TryDecode<goray::Array<double>>(object);
  TryDecode<goray::Array<int32_t>>(object);
  TryDecode<goray::Array<bool>>(object);
  TryDecode<goray::Array<std::complex<float>>>(object);
  TryDecode<goray::ArrayView<uint8_t>>(object);
  TryDecode<goray::ArrayView<int64_t>>(object);
  TryDecode<std::vector<double>>(object);
  TryDecode<std::vector<float>>(object);
  // String columns: ext 78 read in place and written again (EnableFeatures bit 64; ext 79,
  // an address, is refused like ext 72).
  if (goray::detail::Features() != goray::detail::kFeatureColumns) {
    goray::detail::SetFeatures(goray::detail::kFeatureColumns);
  }
  TryDecode<goray::StringColumnBuilder>(object);
  TryDecode<goray::BinaryColumnBuilder>(object);
  TryDecode<std::vector<std::optional<std::string>>>(object);
  if (goray::codec::detail::ArraysEnabled()) std::abort();
  return 0;
}
