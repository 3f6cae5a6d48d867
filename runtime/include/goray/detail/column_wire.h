// ext 78, a string or binary column inline (docs/protocol.md §10, "String and binary
// columns"): its bytes laid out as Arrow's string / large_string layout, so a reader views
// them in place and Python wraps them as a pyarrow array. Header-only: the runtime's codec
// and the Python package's fast path (which writes it for Python's Arrow arrays) share it.
//
//   bytes 0-7    kind ('s' UTF-8 strings, 'b' bytes), offset width (4 or 8), flags (bit 0:
//                a validity bitmap follows), 5 zero bytes
//   bytes 8-23   rows n, null count: u64 LE each
//   24           offsets: (n + 1) x width, LE, from 0, non-decreasing
//                zero bytes to a multiple of 8 from the payload's start
//   then         the validity bitmap, ceil(n / 8) bytes (bit i = row i is valid), and zero
//                bytes to a multiple of 8, when flag bit 0 says so
//   then         the data: offsets[n] bytes
//
// Every size is checked against the payload (a forged header is an error, never a read
// outside it), as are the offsets, and the null count against the bitmap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "goray/column.h"
#include "goray/detail/arrow_c.h"

namespace goray::detail {

inline constexpr std::size_t kColumnWireHead = 24;
inline constexpr std::uint8_t kColumnWireValidity = 1;

inline std::uint64_t Align8(std::uint64_t size) noexcept { return (size + 7) & ~std::uint64_t{7}; }

// ---- reading -----------------------------------------------------------------------------

struct WireColumn {
  bool text = false;
  ColumnChunk chunk;
};

// The column in an ext 78 payload (`data`, `size` bytes), viewed in place; "" or why not.
inline std::string ReadWireColumn(const char* data, std::size_t size, WireColumn& out) {
  if (size < kColumnWireHead) return "ext 78 of " + std::to_string(size) + " bytes, shorter than its header";
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  const char kind = static_cast<char>(bytes[0]);
  const std::uint8_t width = bytes[1];
  const std::uint8_t flags = bytes[2];
  if ((kind != 's' && kind != 'b') || (width != 4 && width != 8) || (flags & ~kColumnWireValidity) != 0 ||
      bytes[3] != 0 || bytes[4] != 0 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
    return "ext 78 with an unknown header (kind " + std::to_string(bytes[0]) + ", width " +
           std::to_string(width) + ", flags " + std::to_string(flags) + ")";
  }
  std::uint64_t rows;
  std::uint64_t nulls;
  std::memcpy(&rows, data + 8, 8);
  std::memcpy(&nulls, data + 16, 8);
  // (n + 1) offsets must fit the payload: bounds n before any product overflows.
  if (rows >= size / width) return "ext 78 of " + std::to_string(rows) + " rows in " + std::to_string(size) + " bytes";
  const std::uint64_t offsets_end = kColumnWireHead + (rows + 1) * width;
  const bool has_validity = (flags & kColumnWireValidity) != 0;
  const std::uint64_t validity_at = Align8(offsets_end);
  const std::uint64_t data_at = has_validity ? Align8(validity_at + (rows + 7) / 8) : validity_at;
  if (data_at > size) return "ext 78 of " + std::to_string(rows) + " rows in " + std::to_string(size) + " bytes";
  const std::uint64_t data_size = size - data_at;
  const char* offsets = data + kColumnWireHead;
  auto offset_at = [&](std::uint64_t i) -> std::uint64_t {
    if (width == 4) {
      std::uint32_t value;
      std::memcpy(&value, offsets + 4 * i, 4);
      return value;
    }
    std::uint64_t value;
    std::memcpy(&value, offsets + 8 * i, 8);
    return value;
  };
  if (offset_at(0) != 0) return "ext 78 whose offsets do not start at 0";
  std::uint64_t previous = 0;
  for (std::uint64_t i = 1; i <= rows; ++i) {
    const std::uint64_t next = offset_at(i);
    if (next < previous) return "ext 78 whose offsets decrease at row " + std::to_string(i - 1);
    previous = next;
  }
  if (width == 4 && previous > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    return "ext 78 whose 32-bit offsets pass 2^31 - 1";
  }
  if (width == 8 && previous > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return "ext 78 whose offsets pass 2^63 - 1";
  }
  if (previous != data_size) {
    return "ext 78 of " + std::to_string(data_size) + " data bytes, its offsets end at " + std::to_string(previous);
  }
  const auto* validity = has_validity ? bytes + validity_at : nullptr;
  const std::uint64_t zeros =
      validity != nullptr ? static_cast<std::uint64_t>(CountZeroBits(validity, 0, static_cast<std::int64_t>(rows))) : 0;
  if (zeros != nulls) {
    return "ext 78 of null count " + std::to_string(nulls) + ", its bitmap holds " + std::to_string(zeros);
  }
  // Offsets are read by the chunk as aligned integers: when the payload is not 8-aligned
  // the reader (the codec) copies it first.
  const auto n = static_cast<std::int64_t>(rows);
  out.text = kind == 's';
  out.chunk = width == 4 ? ColumnChunk::Offsets32(n, 0, nulls ? validity : nullptr, static_cast<std::int64_t>(nulls),
                                                  reinterpret_cast<const std::int32_t*>(offsets), data + data_at)
                         : ColumnChunk::Offsets64(n, 0, nulls ? validity : nullptr, static_cast<std::int64_t>(nulls),
                                                  reinterpret_cast<const std::int64_t*>(offsets), data + data_at);
  return {};
}

// ---- writing -----------------------------------------------------------------------------

// The rows of `chunks` as one ext 78 payload: its size, and the widths it will use.
struct WirePlan {
  std::uint64_t rows = 0;
  std::uint64_t nulls = 0;
  std::uint64_t data_bytes = 0;
  std::uint8_t width = 4;
  std::uint64_t validity_at = 0;
  std::uint64_t data_at = 0;
  std::uint64_t size = 0;  // the payload
};

inline WirePlan PlanWireColumn(std::span<const ColumnChunk> chunks) {
  WirePlan plan;
  for (const ColumnChunk& chunk : chunks) {
    plan.rows += static_cast<std::uint64_t>(chunk.size());
    plan.nulls += static_cast<std::uint64_t>(chunk.null_count());
    if (chunk.dictionary() == nullptr && chunk.layout() != ColumnChunk::Layout::kViews) {
      // One subtraction for an offsets chunk; nulls count as the offsets say (their span
      // is written out as it is, so the data stays one block).
      const std::int64_t first = chunk.bitmap_offset();
      const std::int64_t last = first + chunk.size();
      plan.data_bytes += chunk.offsets32() != nullptr
                             ? static_cast<std::uint64_t>(chunk.offsets32()[last] - chunk.offsets32()[first])
                             : static_cast<std::uint64_t>(chunk.offsets64()[last] - chunk.offsets64()[first]);
    } else {
      for (std::int64_t row = 0; row < chunk.size(); ++row) {
        if (auto value = chunk[row]) plan.data_bytes += value->size();
      }
    }
  }
  plan.width = plan.data_bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()) ? 8 : 4;
  const std::uint64_t offsets_end = kColumnWireHead + (plan.rows + 1) * plan.width;
  plan.validity_at = Align8(offsets_end);
  plan.data_at = plan.nulls != 0 ? Align8(plan.validity_at + (plan.rows + 7) / 8) : plan.validity_at;
  plan.size = plan.data_at + plan.data_bytes;
  return plan;
}

// Writes the payload `plan` sized for `chunks` through `sink.write(const char*, size_t)`.
template <class Sink>
void WriteWireColumn(Sink& sink, std::span<const ColumnChunk> chunks, bool text, const WirePlan& plan) {
  static constexpr char kZeros[8] = {};
  char head[kColumnWireHead] = {};
  head[0] = text ? 's' : 'b';
  head[1] = static_cast<char>(plan.width);
  head[2] = plan.nulls != 0 ? static_cast<char>(kColumnWireValidity) : 0;
  std::memcpy(head + 8, &plan.rows, 8);
  std::memcpy(head + 16, &plan.nulls, 8);
  sink.write(head, sizeof head);
  // Offsets, in blocks so the sink is called rarely.
  constexpr std::size_t kBlock = 1024;
  char block[kBlock * 8];
  std::size_t filled = 0;
  auto put_offset = [&](std::uint64_t value) {
    std::memcpy(block + filled, &value, plan.width);  // little-endian: the low bytes
    filled += plan.width;
    if (filled == kBlock * plan.width) {
      sink.write(block, filled);
      filled = 0;
    }
  };
  std::uint64_t end = 0;
  put_offset(0);
  for (const ColumnChunk& chunk : chunks) {
    if (chunk.dictionary() == nullptr && chunk.layout() != ColumnChunk::Layout::kViews) {
      const std::int64_t first = chunk.bitmap_offset();
      for (std::int64_t row = 1; row <= chunk.size(); ++row) {
        const std::int64_t at = first + row;
        const std::int64_t delta = chunk.offsets32() != nullptr ? chunk.offsets32()[at] - chunk.offsets32()[first]
                                                                : chunk.offsets64()[at] - chunk.offsets64()[first];
        put_offset(end + static_cast<std::uint64_t>(delta));
      }
      end += static_cast<std::uint64_t>(chunk.size() == 0 ? 0
                                         : chunk.offsets32() != nullptr
                                             ? chunk.offsets32()[first + chunk.size()] - chunk.offsets32()[first]
                                             : chunk.offsets64()[first + chunk.size()] - chunk.offsets64()[first]);
    } else {
      for (std::int64_t row = 0; row < chunk.size(); ++row) {
        if (auto value = chunk[row]) end += value->size();
        put_offset(end);
      }
    }
  }
  if (filled != 0) sink.write(block, filled);
  const std::uint64_t offsets_end = kColumnWireHead + (plan.rows + 1) * plan.width;
  sink.write(kZeros, plan.validity_at - offsets_end);
  if (plan.nulls != 0) {
    std::uint8_t byte = 0;
    std::uint64_t bit = 0;
    std::size_t used = 0;
    auto flush = [&] {
      block[used++] = static_cast<char>(byte);
      byte = 0;
      bit = 0;
      if (used == sizeof block) {
        sink.write(block, used);
        used = 0;
      }
    };
    for (const ColumnChunk& chunk : chunks) {
      for (std::int64_t row = 0; row < chunk.size(); ++row) {
        if (chunk.is_valid(row)) byte |= static_cast<std::uint8_t>(1u << bit);
        if (++bit == 8) flush();
      }
    }
    if (bit != 0) flush();
    if (used != 0) sink.write(block, used);
    sink.write(kZeros, plan.data_at - plan.validity_at - (plan.rows + 7) / 8);
  }
  for (const ColumnChunk& chunk : chunks) {
    if (chunk.dictionary() == nullptr && chunk.layout() != ColumnChunk::Layout::kViews) {
      const std::int64_t first = chunk.bitmap_offset();
      const std::int64_t last = first + chunk.size();
      const std::int64_t from = chunk.offsets32() != nullptr ? chunk.offsets32()[first] : chunk.offsets64()[first];
      const std::int64_t to = chunk.offsets32() != nullptr ? chunk.offsets32()[last] : chunk.offsets64()[last];
      if (to > from) sink.write(chunk.data() + from, static_cast<std::size_t>(to - from));
    } else {
      for (std::int64_t row = 0; row < chunk.size(); ++row) {
        if (auto value = chunk[row]; value && !value->empty()) sink.write(value->data(), value->size());
      }
    }
  }
}

}  // namespace goray::detail
