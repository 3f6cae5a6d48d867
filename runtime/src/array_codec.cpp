// The non-template parts of the array codec: reading ext 71/72 headers with
// every size checked against the payload, writing ext 71 aligned, dtype names,
// and the per-thread and process-wide state that picks an array's encoding.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

#include "array_handoff.h"
#include "goray/codec.h"
#include "goray/detail/big_block.h"

namespace goray::codec::detail {
namespace {

std::atomic<bool> g_arrays_enabled{false};
thread_local const Buffer* t_target = nullptr;
thread_local const SourceBufferScope* t_source = nullptr;

constexpr std::size_t kExt32HeaderSize = 6;  // 0xc9, u32 BE length, type

std::int64_t LoadInt64(const char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<std::int64_t>(value);
}

void StoreInt64(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

bool IsKnownDtype(char kind, std::uint8_t itemsize) {
  switch (kind) {
    case 'b':
      return itemsize == 1;
    case 'i':
    case 'u':
      return itemsize == 1 || itemsize == 2 || itemsize == 4 || itemsize == 8;
    case 'f':
      return itemsize == 4 || itemsize == 8;
    case 'c':
      return itemsize == 8 || itemsize == 16;
    default:
      return false;
  }
}

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ',';
  return text + ")";
}

}  // namespace

bool ArraysEnabled() noexcept { return g_arrays_enabled.load(std::memory_order_acquire); }
void SetArraysEnabled(bool enabled) noexcept {
  g_arrays_enabled.store(enabled, std::memory_order_release);
}

std::string NumpyDtypeName(char kind, std::uint8_t itemsize) {
  const std::string bits = std::to_string(8 * itemsize);
  if (IsKnownDtype(kind, itemsize)) {
    switch (kind) {
      case 'b':
        return "bool";
      case 'i':
        return "int" + bits;
      case 'u':
        return "uint" + bits;
      case 'f':
        return "float" + bits;
      default:
        return "complex" + bits;
    }
  }
  std::string text = "dtype '";
  if (kind >= 0x20 && kind < 0x7f) {
    text += kind;
  } else {
    text += "\\x" + std::to_string(static_cast<unsigned char>(kind));
  }
  return text + std::to_string(itemsize) + "'";
}

std::string DescribeNdarray(char kind, std::uint8_t itemsize,
                            const std::vector<std::int64_t>& shape) {
  return "ndarray of " + NumpyDtypeName(kind, itemsize) + " " + ShapeText(shape);
}

bool IsArrayExt(const msgpack::object& object) noexcept {
  return object.type == msgpack::type::EXT &&
         (object.via.ext.type() == kArrayInlineExt || object.via.ext.type() == kArrayAddressExt);
}

std::string DescribeArrayExt(const msgpack::object& object) {
  if (!IsArrayExt(object)) return {};
  // Read as if enabled: only the header is looked at, never the address.
  const msgpack::object_ext& ext = object.via.ext;
  const std::size_t size = ext.size;
  if (size < 4) return {};
  const std::size_t ndim = static_cast<unsigned char>(ext.data()[2]);
  const char kind = ext.data()[0];
  const auto itemsize = static_cast<std::uint8_t>(ext.data()[1]);
  if (ndim > kMaxArrayDims || size < 4 + 8 * ndim || !IsKnownDtype(kind, itemsize)) return {};
  std::vector<std::int64_t> shape(ndim);
  for (std::size_t i = 0; i < ndim; ++i) shape[i] = LoadInt64(ext.data() + 4 + 8 * i);
  return DescribeNdarray(kind, itemsize, shape);
}

void ReadArrayExt(const msgpack::object& object, ArrayHeader& header, const std::string& expected) {
  const msgpack::object_ext& ext = object.via.ext;
  const bool by_address = ext.type() == kArrayAddressExt;
  const std::string ext_name = by_address ? "ext 72" : "ext 71";
  auto malformed = [&](const std::string& why) {
    throw DecodeError(expected, "malformed array " + ext_name + " (" + why + ")");
  };
  if (by_address && !ArraysEnabled()) {
    throw DecodeError(expected, "ext 72 (an array by address), which is accepted only after "
                                "EnableArrays");
  }
  const char* payload = ext.data();
  const std::size_t size = ext.size;
  if (size < 4) malformed("payload of " + std::to_string(size) + " bytes, shorter than its header");
  header.kind = payload[0];
  header.itemsize = static_cast<std::uint8_t>(payload[1]);
  const std::size_t ndim = static_cast<unsigned char>(payload[2]);
  const std::size_t pad = static_cast<unsigned char>(payload[3]);
  if (!IsKnownDtype(header.kind, header.itemsize)) {
    malformed("unknown " + NumpyDtypeName(header.kind, header.itemsize));
  }
  if (ndim > kMaxArrayDims) {
    malformed("ndim " + std::to_string(ndim) + " is over " + std::to_string(kMaxArrayDims));
  }
  const std::size_t fixed = 4 + 8 * ndim;
  if (size < fixed) {
    malformed("payload of " + std::to_string(size) + " bytes, shorter than its " +
              std::to_string(ndim) + "-dimensional shape");
  }
  header.shape.resize(ndim);
  bool empty = false;
  for (std::size_t i = 0; i < ndim; ++i) {
    header.shape[i] = LoadInt64(payload + 4 + 8 * i);
    if (header.shape[i] < 0) malformed("negative extent " + std::to_string(header.shape[i]));
    if (header.shape[i] == 0) empty = true;
  }
  // Elements the bytes could hold: the payload for inline data, the address
  // space for an address.
  const std::uint64_t room =
      by_address ? static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                 : static_cast<std::uint64_t>(size);
  const std::uint64_t limit = room / header.itemsize;
  std::uint64_t count = 1;
  if (empty) {
    count = 0;
  } else {
    for (std::int64_t extent : header.shape) {
      const auto dimension = static_cast<std::uint64_t>(extent);
      if (count > limit / dimension) {
        malformed("shape " + ShapeText(header.shape) + " is larger than the data");
      }
      count *= dimension;
    }
  }
  header.count = count;
  const std::uint64_t bytes = count * header.itemsize;
  header.by_address = by_address;
  if (by_address) {
    if (size != fixed + 16) {
      malformed("payload of " + std::to_string(size) + " bytes, expected " +
                std::to_string(fixed + 16));
    }
    const auto address = static_cast<std::uint64_t>(LoadInt64(payload + fixed));
    if (address == 0 && bytes != 0) malformed("null address");
    if (address > std::numeric_limits<std::uintptr_t>::max() - bytes) {
      malformed("address range wraps around");
    }
    header.data = reinterpret_cast<const char*>(static_cast<std::uintptr_t>(address));
    return;
  }
  if (size < fixed + pad || size - fixed - pad != bytes) {
    malformed("payload of " + std::to_string(size) + " bytes, expected " +
              std::to_string(fixed + pad + bytes) + " for " +
              DescribeNdarray(header.kind, header.itemsize, header.shape));
  }
  header.data = payload + fixed + pad;
}

std::shared_ptr<void> CopyBlock(const void* data, std::size_t bytes) {
  return goray::detail::CopiedBlock(data, bytes);  // huge pages from 4 MiB
}

void CheckNestedListCount(const std::vector<std::int64_t>& shape) {
  constexpr std::uint64_t kMaxLists = std::uint64_t{1} << 16;
  std::uint64_t lists = 1;
  for (std::int64_t extent : shape) {
    if (extent == 0) return;
    if (static_cast<std::uint64_t>(extent) > kMaxLists / lists) {
      throw std::length_error("goray: the nested-list form of an empty array of shape " +
                              ShapeText(shape) + " is over the limit of 65536 lists");
    }
    lists *= static_cast<std::uint64_t>(extent);
  }
}

ArrayEncoding CurrentArrayEncoding() noexcept {
  if (ActiveHandoff() != nullptr) return ArrayEncoding::kHandoff;
  return ArraysEnabled() ? ArrayEncoding::kInline : ArrayEncoding::kNestedLists;
}

void EncodeArrayInline(Packer& packer, char kind, std::uint8_t itemsize,
                       const std::vector<std::int64_t>& shape, const void* data,
                       std::size_t bytes) {
  if (shape.size() > kMaxArrayDims) {
    throw std::invalid_argument("goray: an array of " + std::to_string(shape.size()) +
                                " dimensions is over the limit of " +
                                std::to_string(kMaxArrayDims));
  }
  const std::size_t fixed = 4 + 8 * shape.size();
  // Always the ext32 form (6 header bytes), so the data offset is known before
  // the length is; `pad` puts the data at a multiple of 64 in the target buffer.
  const std::size_t offset = t_target != nullptr ? t_target->size() : 0;
  const std::size_t pad = (64 - (offset + kExt32HeaderSize + fixed) % 64) % 64;
  const std::size_t payload = fixed + pad + bytes;
  if (bytes > std::numeric_limits<std::uint32_t>::max() - fixed - pad) {
    ThrowTooLarge(bytes, "typed array (ext 71)", "bytes");
  }
  char head[kExt32HeaderSize + 4 + 8 * kMaxArrayDims + 64] = {};
  head[0] = static_cast<char>(0xc9);
  for (int i = 0; i < 4; ++i) head[1 + i] = static_cast<char>((payload >> (8 * (3 - i))) & 0xff);
  head[5] = kArrayInlineExt;
  char* prefix = head + kExt32HeaderSize;
  prefix[0] = kind;
  prefix[1] = static_cast<char>(itemsize);
  prefix[2] = static_cast<char>(shape.size());
  prefix[3] = static_cast<char>(pad);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    StoreInt64(prefix + 4 + 8 * i, static_cast<std::uint64_t>(shape[i]));
  }
  AppendRaw(packer, head, static_cast<std::uint32_t>(kExt32HeaderSize + fixed + pad));
  if (bytes != 0) AppendRaw(packer, static_cast<const char*>(data), static_cast<std::uint32_t>(bytes));
}

EncodeTargetScope::EncodeTargetScope(const Buffer& buffer) noexcept : previous_(t_target) {
  t_target = &buffer;
}
EncodeTargetScope::~EncodeTargetScope() { t_target = previous_; }

SourceBufferScope::SourceBufferScope(std::shared_ptr<void> owner, std::string_view bytes) noexcept
    : owner_(std::move(owner)), bytes_(bytes), previous_(t_source) {
  t_source = this;
}
SourceBufferScope::~SourceBufferScope() { t_source = previous_; }

bool InSourceBufferScope() noexcept { return t_source != nullptr; }

std::shared_ptr<void> SourceOwnerFor(const void* data, std::size_t bytes) {
  for (const SourceBufferScope* scope = t_source; scope != nullptr; scope = scope->previous_) {
    if (!scope->owner_) continue;
    const auto begin = reinterpret_cast<std::uintptr_t>(scope->bytes_.data());
    const auto at = reinterpret_cast<std::uintptr_t>(data);
    if (at >= begin && at - begin <= scope->bytes_.size() &&
        bytes <= scope->bytes_.size() - (at - begin)) {
      return scope->owner_;
    }
  }
  return nullptr;
}

}  // namespace goray::codec::detail
