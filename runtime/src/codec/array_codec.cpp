// The non-template parts of the array codec: reading ext 71/72 headers with
// every size checked against the payload (dtype names: array_ext_names.cpp), writing
// ext 71 aligned, and the per-thread and process-wide state that picks an array's encoding.
// Tests: tests/cpp/array_codec_test.cpp
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "codec/array_ext_names.h"
#include "codec/array_handoff.h"
#include "goray/detail/array_codec.h"
#include "goray/detail/big_block.h"
#include "goray/detail/pins.h"

namespace goray::codec::detail {
namespace {

std::atomic<bool> g_arrays_enabled{false};
thread_local const Buffer* t_target = nullptr;
thread_local std::uint64_t t_target_pins = 0;  // PinCalls() when t_target became the target
thread_local ScatterScope* t_scatter = nullptr;
thread_local const SourceBufferScope* t_source = nullptr;

constexpr std::size_t kExt32HeaderSize = 6;  // 0xc9, u32 BE length, type

void StoreInt64(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

bool ArraysEnabled() noexcept { return g_arrays_enabled.load(std::memory_order_acquire); }
void SetArraysEnabled(bool enabled) noexcept {
  g_arrays_enabled.store(enabled, std::memory_order_release);
}

namespace {

// One element of `Size` bytes, copied as a whole.
template <std::size_t Size>
struct Element {
  unsigned char bytes[Size];
};

// C order from Fortran order: a matrix transposed in tiles (each read and written
// within a few cache lines); more dimensions by an odometer over the C-order index.
template <class E>
void TransposeInto(const E* source, E* target, const std::vector<std::int64_t>& shape,
                   std::uint64_t count) {
  if (shape.size() == 2) {
    const std::int64_t rows = shape[0];
    const std::int64_t cols = shape[1];
    constexpr std::int64_t kTile = 32;
    for (std::int64_t r0 = 0; r0 < rows; r0 += kTile) {
      const std::int64_t r1 = std::min(rows, r0 + kTile);
      for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const std::int64_t c1 = std::min(cols, c0 + kTile);
        for (std::int64_t r = r0; r < r1; ++r) {
          for (std::int64_t c = c0; c < c1; ++c) target[r * cols + c] = source[r + c * rows];
        }
      }
    }
    return;
  }
  const std::size_t ndim = shape.size();
  std::vector<std::int64_t> stride(ndim, 1);  // Fortran strides, in elements
  for (std::size_t k = 1; k < ndim; ++k) stride[k] = stride[k - 1] * shape[k - 1];
  std::vector<std::int64_t> index(ndim, 0);
  std::int64_t offset = 0;
  for (std::uint64_t out = 0; out < count; ++out) {
    target[out] = source[offset];
    for (std::size_t k = ndim; k-- > 0;) {
      offset += stride[k];
      if (++index[k] < shape[k]) break;
      offset -= stride[k] * shape[k];
      index[k] = 0;
    }
  }
}

}  // namespace

std::shared_ptr<void> RowMajorCopy(const void* data, const std::vector<std::int64_t>& shape,
                                   std::size_t itemsize, std::uint64_t count) {
  std::shared_ptr<void> block = goray::detail::ZeroedBlock(static_cast<std::size_t>(count) * itemsize);
  if (count == 0) return block;
  auto transpose = [&]<std::size_t Size>() {
    TransposeInto(static_cast<const Element<Size>*>(data), static_cast<Element<Size>*>(block.get()),
                  shape, count);
  };
  switch (itemsize) {
    case 1: transpose.template operator()<1>(); break;
    case 2: transpose.template operator()<2>(); break;
    case 4: transpose.template operator()<4>(); break;
    case 8: transpose.template operator()<8>(); break;
    case 16: transpose.template operator()<16>(); break;
    default:
      throw std::invalid_argument("goray: no column-major transpose for elements of " +
                                  std::to_string(itemsize) + " bytes");
  }
  return block;
}

void ReadArrayExt(const msgpack::object& object, ArrayHeader& header, const std::string& expected,
                  ArrayOrder order) {
  const msgpack::object_ext& ext = object.via.ext;
  const bool by_address = ext.type() == kExtArrayAddress;
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
  if (size < kArrayHeadBytes) malformed("payload of " + std::to_string(size) + " bytes, shorter than its header");
  header.kind = payload[0];
  header.itemsize = static_cast<std::uint8_t>(payload[1]);
  const std::size_t ndim = static_cast<unsigned char>(payload[2]);
  const unsigned fourth = static_cast<unsigned char>(payload[3]);
  // ext 71: pad in bits 0-5, bit 6 reserved; ext 72: flags the library does not read.
  const std::size_t pad = by_address ? 0 : fourth & kArrayPadMask;
  if (!by_address && (fourth & ~(kArrayPadMask | kArrayColumnMajor)) != 0) {
    malformed("4th byte " + std::to_string(fourth) + " has the reserved bit 6 set");
  }
  const bool column_major = (fourth & kArrayColumnMajor) != 0;
  // Every type but Eigen's reads C order: a column-major array is transposed once.
  auto settle_order = [&] {
    header.column_major = column_major && header.count != 0 && OrderMatters(header.shape);
    if (!header.column_major || order == ArrayOrder::kAsSent) return;
    header.transposed = RowMajorCopy(header.data, header.shape, header.itemsize, header.count);
    header.data = static_cast<const char*>(header.transposed.get());
    header.column_major = false;
  };
  if (!IsKnownDtype(header.kind, header.itemsize)) {
    malformed("unknown " + NumpyDtypeName(header.kind, header.itemsize));
  }
  if (ndim > kMaxArrayDims) {
    malformed("ndim " + std::to_string(ndim) + " is over " + std::to_string(kMaxArrayDims));
  }
  const std::size_t fixed = kArrayHeadBytes + kArrayExtentBytes * ndim;
  if (size < fixed) {
    malformed("payload of " + std::to_string(size) + " bytes, shorter than its " +
              std::to_string(ndim) + "-dimensional shape");
  }
  header.shape.resize(ndim);
  bool empty = false;
  for (std::size_t i = 0; i < ndim; ++i) {
    header.shape[i] = LoadInt64(payload + kArrayHeadBytes + kArrayExtentBytes * i);
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
    if (size != fixed + kArrayAddressBytes) {
      malformed("payload of " + std::to_string(size) + " bytes, expected " +
                std::to_string(fixed + kArrayAddressBytes));
    }
    const auto address = static_cast<std::uint64_t>(LoadInt64(payload + fixed));
    if (address == 0 && bytes != 0) malformed("null address");
    if (address > std::numeric_limits<std::uintptr_t>::max() - bytes) {
      malformed("address range wraps around");
    }
    header.data = reinterpret_cast<const char*>(static_cast<std::uintptr_t>(address));
    settle_order();
    return;
  }
  if (size < fixed + pad || size - fixed - pad != bytes) {
    malformed("payload of " + std::to_string(size) + " bytes, expected " +
              std::to_string(fixed + pad + bytes) + " for " +
              DescribeNdarray(header.kind, header.itemsize, header.shape));
  }
  header.data = payload + fixed + pad;
  settle_order();
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
                       std::size_t bytes, const std::shared_ptr<const void>& owner,
                       bool column_major) {
  if (shape.size() > kMaxArrayDims) {
    throw std::invalid_argument("goray: an array of " + std::to_string(shape.size()) +
                                " dimensions is over the limit of " +
                                std::to_string(kMaxArrayDims));
  }
  const std::size_t fixed = kArrayHeadBytes + kArrayExtentBytes * shape.size();
  // A scatter scope of the target leaves large data out (unless the block names refs).
  ScatterScope* scatter =
      t_scatter != nullptr && t_scatter->buffer_ == t_target ? t_scatter : nullptr;
  const bool leave_out = scatter != nullptr && bytes >= kOutOfBandFrom && !scatter->pinned();
  // Always the ext32 form (6 header bytes), so the data offset is known before
  // the length is; `pad` puts the data at a multiple of kArrayDataAlign in the target buffer
  // (in the joined block, when data was left out before).
  const std::size_t offset =
      t_target != nullptr ? t_target->size() + (scatter != nullptr ? scatter->left_out_ : 0) : 0;
  const std::size_t pad = (kArrayDataAlign - (offset + kExt32HeaderSize + fixed) % kArrayDataAlign) % kArrayDataAlign;
  const std::size_t payload = fixed + pad + bytes;
  if (bytes > std::numeric_limits<std::uint32_t>::max() - fixed - pad) {
    ThrowTooLarge(bytes, "typed array (ext 71)", "bytes");
  }
  char head[kExt32HeaderSize + kArrayHeadBytes + kArrayExtentBytes * kMaxArrayDims + kArrayDataAlign] = {};
  head[0] = static_cast<char>(0xc9);
  for (int i = 0; i < 4; ++i) head[1 + i] = static_cast<char>((payload >> (8 * (3 - i))) & 0xff);
  head[5] = kExtArrayInline;
  char* prefix = head + kExt32HeaderSize;
  prefix[0] = kind;
  prefix[1] = static_cast<char>(itemsize);
  prefix[2] = static_cast<char>(shape.size());
  prefix[3] = static_cast<char>(pad | (column_major ? kArrayColumnMajor : 0U));
  for (std::size_t i = 0; i < shape.size(); ++i) {
    StoreInt64(prefix + kArrayHeadBytes + kArrayExtentBytes * i, static_cast<std::uint64_t>(shape[i]));
  }
  if (!leave_out) {
    AppendRaw(packer, head, static_cast<std::uint32_t>(kExt32HeaderSize + fixed + pad));
    if (bytes != 0) {
      AppendRaw(packer, static_cast<const char*>(data), static_cast<std::uint32_t>(bytes));
    }
    return;
  }
  ScatteredData left;
  left.length = bytes;
  left.address = data;
  left.owner = owner;
  if (!left.owner && scatter->unowned_ == ScatterScope::Unowned::kCopy) {
    left.owner = CopyBlock(data, bytes);  // the data must outlive the value
    left.address = left.owner.get();
  }
  scatter->datas_.reserve(scatter->datas_.size() + 1);  // nothing throws once the header is out
  AppendRaw(packer, head, static_cast<std::uint32_t>(kExt32HeaderSize + fixed + pad));
  left.offset = t_target->size() - scatter->block_start_;
  scatter->datas_.push_back(std::move(left));
  scatter->left_out_ += bytes;
}

EncodeTargetScope::EncodeTargetScope(const Buffer& buffer) noexcept
    : previous_(t_target), previous_pins_(t_target_pins) {
  t_target = &buffer;
  t_target_pins = goray::detail::PinCalls();
}
EncodeTargetScope::~EncodeTargetScope() {
  // Ids written into a scattered buffer count for its scope once the target ends.
  if (t_scatter != nullptr && t_scatter->buffer_ == t_target) {
    t_scatter->pins_ += goray::detail::PinCalls() - t_target_pins;
  }
  t_target = previous_;
  t_target_pins = previous_pins_;
}

ScatterScope::ScatterScope(const Buffer& buffer, std::size_t block_start, Unowned unowned) noexcept
    : buffer_(&buffer), block_start_(block_start), unowned_(unowned), previous_(t_scatter) {
  t_scatter = this;
}
ScatterScope::~ScatterScope() { t_scatter = previous_; }

bool ScatterScope::pinned() const noexcept {
  if (pins_ != 0) return true;
  return t_target == buffer_ && goray::detail::PinCalls() != t_target_pins;
}

void JoinScattered(std::string_view compact, const std::vector<ScatteredData>& datas, Buffer& out) {
  std::size_t at = 0;
  for (const ScatteredData& data : datas) {
    if (data.offset < at || data.offset > compact.size()) {
      throw std::invalid_argument("goray: scattered data at offset " + std::to_string(data.offset) +
                                  " is out of order or past the compact block of " +
                                  std::to_string(compact.size()) + " bytes");
    }
    out.write(compact.data() + at, data.offset - at);
    out.write(static_cast<const char*>(data.address), data.length);
    at = data.offset;
  }
  out.write(compact.data() + at, compact.size() - at);
}

SourceBufferScope::SourceBufferScope(std::shared_ptr<void> owner, std::string_view bytes,
                                     bool lent) noexcept
    : owner_(std::move(owner)), bytes_(bytes), lent_(lent), previous_(t_source) {
  t_source = this;
}
SourceBufferScope::~SourceBufferScope() { t_source = previous_; }

bool InSourceBufferScope() noexcept { return t_source != nullptr; }

std::shared_ptr<void> LentSourceOwner() noexcept {
  // Only the innermost: an ext 72 being decoded belongs to the reply decoded now.
  return t_source != nullptr && t_source->lent_ ? t_source->owner_ : nullptr;
}

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

std::size_t CountScatteredValues(std::string_view compact,
                                 const std::vector<ScatteredData>& datas) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(compact.data());
  const std::size_t end = compact.size();
  std::size_t at = 0;
  std::size_t next_data = 0;
  auto malformed = [&](const char* why) {
    throw std::invalid_argument("goray: malformed scattered block at byte " + std::to_string(at) +
                                ": " + why);
  };
  auto take = [&](std::size_t count) {  // `count` bytes of the block, none of them left out
    if (count > end - at) malformed("truncated");
    at += count;
  };
  auto big_endian = [&](std::size_t width) {
    if (width > end - at) malformed("truncated");
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | bytes[at + i];
    at += width;
    return value;
  };
  auto payload = [&](std::uint64_t length) {  // a str/bin/ext body, counting left-out data
    while (next_data < datas.size() && datas[next_data].offset >= at &&
           datas[next_data].offset - at < length) {
      const ScatteredData& data = datas[next_data++];
      const std::size_t before = data.offset - at;
      take(before);
      if (data.length > length - before) malformed("left-out data longer than its value");
      length -= before + data.length;
    }
    take(static_cast<std::size_t>(length));
  };
  std::size_t values = 0;
  std::uint64_t pending = 0;  // elements of open containers still to read
  while (at < end) {
    if (pending > 0) {
      --pending;
    } else {
      ++values;
    }
    const unsigned char type = bytes[at++];
    if (type <= 0x7f || type >= 0xe0 || type == 0xc0 || type == 0xc2 || type == 0xc3) continue;
    if (type <= 0x8f) {
      pending += 2 * (type & 0x0f);
    } else if (type <= 0x9f) {
      pending += type & 0x0f;
    } else if (type <= 0xbf) {
      payload(type & 0x1f);
    } else if (type >= 0xc4 && type <= 0xc6) {
      payload(big_endian(std::size_t{1} << (type - 0xc4)));
    } else if (type >= 0xc7 && type <= 0xc9) {
      const std::uint64_t length = big_endian(std::size_t{1} << (type - 0xc7));
      take(1);
      payload(length);
    } else if (type >= 0xca && type <= 0xd3) {
      static constexpr std::size_t kWidths[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8};
      take(kWidths[type - 0xca]);
    } else if (type >= 0xd4 && type <= 0xd8) {
      take(1 + (std::size_t{1} << (type - 0xd4)));
    } else if (type >= 0xd9 && type <= 0xdb) {
      payload(big_endian(std::size_t{1} << (type - 0xd9)));
    } else if (type == 0xdc || type == 0xdd) {
      pending += big_endian(type == 0xdc ? 2 : 4);
    } else if (type == 0xde || type == 0xdf) {
      pending += 2 * big_endian(type == 0xde ? 2 : 4);
    } else {
      malformed("the reserved byte 0xc1");
    }
  }
  if (pending != 0) malformed("a container with elements missing");
  if (next_data != datas.size()) malformed("left-out data outside any value");
  return values;
}

}  // namespace goray::codec::detail
