// String and binary columns: goray::StringColumn / goray::BinaryColumn (parameters: a
// read-only view of an Arrow array's memory, one std::optional<std::string_view> per row)
// and goray::StringColumnBuilder / goray::BinaryColumnBuilder (results: built row by row,
// handed to Python as a pyarrow array). Python sees pyarrow.StringArray / BinaryArray
// (docs/types.md, "String and binary columns"). Included by goray/goray.h.
//
// A column reads every Arrow layout of its values in place: string / large_string /
// binary / large_binary (offsets), string_view / binary_view (views), a dictionary of any
// of those (indices + the dictionary's values), sliced (offset != 0), with or without a
// validity bitmap, in one or several chunks (a ChunkedArray). No libarrow: the memory is
// read through the Arrow C Data Interface (goray/detail/arrow_c.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "goray/detail/type_name.h"

namespace goray {

// One Arrow array's memory of a column (a ChunkedArray has several). Read-only; valid
// while the column that holds it is.
class ColumnChunk {
 public:
  enum class Layout : std::uint8_t {
    kOffsets32,  // string, binary: int32 offsets into one data buffer
    kOffsets64,  // large_string, large_binary: int64 offsets
    kViews,      // string_view, binary_view: 16-byte views, data inline or in buffers
  };

  ColumnChunk() = default;

  std::int64_t size() const noexcept { return length_; }
  // Rows that read as null (for a dictionary: a null index or a null value).
  std::int64_t null_count() const noexcept { return null_count_; }
  // The validity bitmap (Arrow's: bit i of byte i / 8, least significant first, 1 =
  // valid) and the bit of row 0 in it; null when no index or value is null (a
  // dictionary's own null values are its dictionary()'s).
  const std::uint8_t* null_bitmap() const noexcept { return validity_; }
  std::int64_t bitmap_offset() const noexcept { return offset_; }
  Layout layout() const noexcept { return layout_; }
  // The offsets layouts' buffers, indexed from bitmap_offset() (null for other layouts).
  const std::int32_t* offsets32() const noexcept {
    return layout_ == Layout::kOffsets32 && dictionary_ == nullptr ? static_cast<const std::int32_t*>(offsets_) : nullptr;
  }
  const std::int64_t* offsets64() const noexcept {
    return layout_ == Layout::kOffsets64 && dictionary_ == nullptr ? static_cast<const std::int64_t*>(offsets_) : nullptr;
  }
  const char* data() const noexcept { return data_; }
  // A dictionary-encoded chunk's values (its rows index them), else null.
  const ColumnChunk* dictionary() const noexcept { return dictionary_.get(); }

  bool is_valid(std::int64_t row) const noexcept {
    const std::int64_t at = offset_ + row;
    if (validity_ != nullptr && !((validity_[at >> 3] >> (at & 7)) & 1)) return false;
    return dictionary_ == nullptr || dictionary_->is_valid(IndexAt(at));
  }

  // Row `row` (0 <= row < size()): the value, or nullopt for a null.
  std::optional<std::string_view> operator[](std::int64_t row) const noexcept {
    const std::int64_t at = offset_ + row;
    if (validity_ != nullptr && !((validity_[at >> 3] >> (at & 7)) & 1)) return std::nullopt;
    if (dictionary_ != nullptr) return (*dictionary_)[IndexAt(at)];
    return ValueAt(at);
  }

  // ---- for goray's own code (detail/arrow_c.h, the codec) --------------------------------
  static ColumnChunk Offsets32(std::int64_t length, std::int64_t offset, const std::uint8_t* validity,
                               std::int64_t nulls, const std::int32_t* offsets, const char* data) {
    return ColumnChunk(length, offset, validity, nulls, Layout::kOffsets32, offsets, data, nullptr);
  }
  static ColumnChunk Offsets64(std::int64_t length, std::int64_t offset, const std::uint8_t* validity,
                               std::int64_t nulls, const std::int64_t* offsets, const char* data) {
    return ColumnChunk(length, offset, validity, nulls, Layout::kOffsets64, offsets, data, nullptr);
  }
  static ColumnChunk Views(std::int64_t length, std::int64_t offset, const std::uint8_t* validity,
                           std::int64_t nulls, const std::uint8_t* views, const char* const* buffers) {
    return ColumnChunk(length, offset, validity, nulls, Layout::kViews, views, nullptr, buffers);
  }
  // Indices of `width` bytes (1, 2, 4, 8) into `values`; CountNulls() after.
  static ColumnChunk Dictionary(std::int64_t length, std::int64_t offset, const std::uint8_t* validity,
                                const void* indices, std::uint8_t width, bool is_signed,
                                std::shared_ptr<const ColumnChunk> values) {
    ColumnChunk chunk(length, offset, validity, 0, values->layout_, indices, nullptr, nullptr);
    chunk.index_width_ = width;
    chunk.index_signed_ = is_signed;
    chunk.dictionary_ = std::move(values);
    return chunk;
  }
  // The index at buffer position `at` of a dictionary chunk.
  std::int64_t IndexAt(std::int64_t at) const noexcept {
    switch (index_width_) {
      case 1: return index_signed_ ? Load<std::int8_t>(at) : Load<std::uint8_t>(at);
      case 2: return index_signed_ ? Load<std::int16_t>(at) : Load<std::uint16_t>(at);
      case 4: return index_signed_ ? Load<std::int32_t>(at) : Load<std::uint32_t>(at);
      default: {
        const std::uint64_t index = Load<std::uint64_t>(at);
        return index > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                   ? -1 : static_cast<std::int64_t>(index);
      }
    }
  }
  // Counts the rows that read as null (a dictionary's null values included).
  void CountNulls() noexcept {
    std::int64_t nulls = 0;
    for (std::int64_t row = 0; row < length_; ++row) nulls += !is_valid(row);
    null_count_ = nulls;
  }

 private:
  ColumnChunk(std::int64_t length, std::int64_t offset, const std::uint8_t* validity, std::int64_t nulls,
              Layout layout, const void* offsets, const char* data, const char* const* buffers)
      : length_(length), offset_(offset), null_count_(nulls), validity_(validity), offsets_(offsets),
        data_(data), buffers_(buffers), layout_(layout) {}

  template <class I>
  std::int64_t Load(std::int64_t at) const noexcept {
    I value;
    std::memcpy(&value, static_cast<const char*>(offsets_) + at * static_cast<std::int64_t>(sizeof(I)), sizeof(I));
    return static_cast<std::int64_t>(value);
  }

  std::string_view ValueAt(std::int64_t at) const noexcept {
    switch (layout_) {
      case Layout::kOffsets32: {
        const auto* offsets = static_cast<const std::int32_t*>(offsets_);
        return {data_ + offsets[at], static_cast<std::size_t>(offsets[at + 1] - offsets[at])};
      }
      case Layout::kOffsets64: {
        const auto* offsets = static_cast<const std::int64_t*>(offsets_);
        return {data_ + offsets[at], static_cast<std::size_t>(offsets[at + 1] - offsets[at])};
      }
      case Layout::kViews: {
        const char* view = static_cast<const char*>(offsets_) + 16 * at;
        std::int32_t size;
        std::memcpy(&size, view, 4);
        if (size <= 12) return {view + 4, static_cast<std::size_t>(size)};
        std::int32_t index;
        std::int32_t offset;
        std::memcpy(&index, view + 8, 4);
        std::memcpy(&offset, view + 12, 4);
        return {buffers_[index] + offset, static_cast<std::size_t>(size)};
      }
    }
    return {};
  }

  std::int64_t length_ = 0;
  std::int64_t offset_ = 0;
  std::int64_t null_count_ = 0;
  const std::uint8_t* validity_ = nullptr;
  const void* offsets_ = nullptr;  // offsets, views or (dictionary) indices
  const char* data_ = nullptr;
  const char* const* buffers_ = nullptr;
  std::shared_ptr<const ColumnChunk> dictionary_;
  Layout layout_ = Layout::kOffsets32;
  std::uint8_t index_width_ = 0;
  bool index_signed_ = false;
};

namespace detail {

struct StringValues {
  static constexpr bool kText = true;
};
struct BinaryValues {
  static constexpr bool kText = false;
};

// Whether every byte of `text` is ASCII: ORs of 8 (or 4) bytes at a time, the last load
// overlapping the one before, so no loop runs per byte (a builder checks every row).
inline bool IsAscii(std::string_view text) noexcept {
  const char* bytes = text.data();
  const std::size_t size = text.size();
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  if (size >= 8) {
    std::uint64_t high = 0;
    std::uint64_t word;
    for (std::size_t i = 0; i + 8 < size; i += 8) {
      std::memcpy(&word, bytes + i, 8);
      high |= word;
    }
    std::memcpy(&word, bytes + size - 8, 8);
    return ((high | word) & kHigh) == 0;
  }
  if (size >= 4) {
    std::uint32_t first;
    std::uint32_t last;
    std::memcpy(&first, bytes, 4);
    std::memcpy(&last, bytes + size - 4, 4);
    return ((first | last) & static_cast<std::uint32_t>(kHigh)) == 0;
  }
  unsigned high = 0;
  for (std::size_t i = 0; i < size; ++i) high |= static_cast<unsigned char>(bytes[i]);
  return (high & 0x80U) == 0;
}

// Whether `text` is valid UTF-8 (the first invalid byte's offset in `at` otherwise).
// Out of line: IsUtf8 inlines only the ASCII pass, so a builder's Append stays small.
[[gnu::noinline]] inline bool IsUtf8Multibyte(std::string_view text, std::size_t& at) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    if (i + 8 <= size) {  // ASCII eight bytes at a time
      std::uint64_t word;
      std::memcpy(&word, bytes + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra;
    std::uint32_t point;
    if (lead >= 0xc2 && lead <= 0xdf) extra = 1, point = lead & 0x1f;
    else if (lead >= 0xe0 && lead <= 0xef) extra = 2, point = lead & 0x0f;
    else if (lead >= 0xf0 && lead <= 0xf4) extra = 3, point = lead & 0x07;
    else return at = i, false;
    if (size - i <= extra) return at = i, false;  // cut short
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((bytes[i + k] & 0xc0) != 0x80) return at = i, false;
      point = (point << 6) | (bytes[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and points beyond U+10FFFF are not UTF-8.
    if ((extra == 2 && point < 0x800) || (extra == 3 && (point < 0x10000 || point > 0x10ffff)) ||
        (point >= 0xd800 && point <= 0xdfff)) {
      return at = i, false;
    }
    i += extra + 1;
  }
  return true;
}
inline bool IsUtf8(std::string_view text, std::size_t& at) noexcept {
  return IsAscii(text) || IsUtf8Multibyte(text, at);
}

// The buffers a builder fills (and a finished column keeps): Arrow's offsets layouts.
struct ColumnBuffers {
  std::vector<char> data;
  std::vector<std::int32_t> offsets32{0};
  std::vector<std::int64_t> offsets64;  // once `large`: offsets32 is then empty
  std::vector<std::uint8_t> validity;   // empty until the first null
  std::int64_t rows = 0;
  std::int64_t nulls = 0;
  bool large = false;
};

}  // namespace detail

template <class Values>
class BasicColumnBuilder;

// A read-only column of strings or bytes with nulls: a parameter's view of an Arrow
// array (or ChunkedArray) the caller holds, valid for the call; or, from a builder or a
// decoded value, one that keeps its memory itself.
template <class Values>
class BasicColumn {
 public:
  using value_type = std::optional<std::string_view>;
  using size_type = std::size_t;

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using iterator_concept = std::forward_iterator_tag;
    using value_type = std::optional<std::string_view>;
    using difference_type = std::ptrdiff_t;
    using reference = value_type;
    using pointer = void;

    iterator() = default;
    value_type operator*() const noexcept { return (*chunk_)[row_]; }
    iterator& operator++() noexcept {
      if (++row_ == chunk_->size()) {
        row_ = 0;
        do {
          ++chunk_;
        } while (chunk_ != end_ && chunk_->size() == 0);
      }
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.chunk_ == b.chunk_ && a.row_ == b.row_;
    }

   private:
    friend class BasicColumn;
    iterator(const ColumnChunk* chunk, const ColumnChunk* end) noexcept : chunk_(chunk), end_(end) {
      while (chunk_ != end_ && chunk_->size() == 0) ++chunk_;
    }
    const ColumnChunk* chunk_ = nullptr;
    const ColumnChunk* end_ = nullptr;
    std::int64_t row_ = 0;
  };
  using const_iterator = iterator;

  // An empty column.
  BasicColumn() = default;
  // A column of `chunks`, whose memory `owner` (if any) keeps alive.
  explicit BasicColumn(std::vector<ColumnChunk> chunks, std::shared_ptr<const void> owner = {})
      : state_(std::make_shared<State>(State{std::move(chunks), {}, std::move(owner), 0, 0})) {
    std::int64_t start = 0;
    std::int64_t nulls = 0;
    for (const ColumnChunk& chunk : state_->chunks) {
      state_->starts.push_back(start);
      start += chunk.size();
      nulls += chunk.null_count();
    }
    state_->size = start;
    state_->nulls = nulls;
  }

  std::size_t size() const noexcept { return state_ ? static_cast<std::size_t>(state_->size) : 0; }
  bool empty() const noexcept { return size() == 0; }
  std::int64_t null_count() const noexcept { return state_ ? state_->nulls : 0; }

  // Row `row` (< size()): the value, or nullopt for a null. A value of a StringColumn is
  // UTF-8 as the producer wrote it; a BinaryColumn's are any bytes.
  value_type operator[](std::size_t row) const noexcept {
    const std::vector<ColumnChunk>& chunks = state_->chunks;
    if (chunks.size() == 1) return chunks[0][static_cast<std::int64_t>(row)];
    const std::size_t index = ChunkOf(row);
    return chunks[index][static_cast<std::int64_t>(row) - state_->starts[index]];
  }
  // As operator[], checked: std::out_of_range past the end.
  value_type at(std::size_t row) const {
    if (row >= size()) {
      throw std::out_of_range("goray column: row " + std::to_string(row) + " of " + std::to_string(size()));
    }
    return (*this)[row];
  }
  bool is_null(std::size_t row) const noexcept { return !is_valid(row); }
  bool is_valid(std::size_t row) const noexcept {
    const std::size_t index = ChunkOf(row);
    return state_->chunks[index].is_valid(static_cast<std::int64_t>(row) - state_->starts[index]);
  }

  iterator begin() const noexcept {
    return state_ ? iterator(state_->chunks.data(), state_->chunks.data() + state_->chunks.size()) : iterator();
  }
  iterator end() const noexcept {
    if (!state_) return iterator();
    const ColumnChunk* end = state_->chunks.data() + state_->chunks.size();
    return iterator(end, end);
  }

  // The Arrow arrays the column reads (one per chunk of a ChunkedArray), for their
  // buffers and null bitmaps.
  std::span<const ColumnChunk> chunks() const noexcept {
    return state_ ? std::span<const ColumnChunk>(state_->chunks) : std::span<const ColumnChunk>();
  }
  // What keeps the memory alive, if the column holds it (null: borrowed for the call).
  const std::shared_ptr<const void>& owner() const noexcept {
    static const std::shared_ptr<const void> kNone;
    return state_ ? state_->owner : kNone;
  }

 private:
  struct State {
    std::vector<ColumnChunk> chunks;
    std::vector<std::int64_t> starts;
    std::shared_ptr<const void> owner;
    std::int64_t size;
    std::int64_t nulls;
  };

  std::size_t ChunkOf(std::size_t row) const noexcept {
    const std::vector<std::int64_t>& starts = state_->starts;
    if (starts.size() == 1) return 0;
    auto after = std::upper_bound(starts.begin(), starts.end(), static_cast<std::int64_t>(row));
    return static_cast<std::size_t>(after - starts.begin()) - 1;
  }

  std::shared_ptr<State> state_;
};

// Builds a column row by row for a result: Arrow's string (binary) layout, switching to
// large_string (large_binary, 64-bit offsets) once its data passes 2 GiB. Python receives
// a pyarrow array over this memory (no copy, no Python object per row). Copies copy the
// rows.
template <class Values>
class BasicColumnBuilder {
 public:
  BasicColumnBuilder() : buffers_(std::make_shared<detail::ColumnBuffers>()) {}
  BasicColumnBuilder(const BasicColumnBuilder& other)
      : buffers_(std::make_shared<detail::ColumnBuffers>(*other.buffers_)), large_from_(other.large_from_) {}
  BasicColumnBuilder& operator=(const BasicColumnBuilder& other) {
    if (this != &other) *this = BasicColumnBuilder(other);
    return *this;
  }
  BasicColumnBuilder(BasicColumnBuilder&& other) noexcept
      : buffers_(std::exchange(other.buffers_, std::make_shared<detail::ColumnBuffers>())),
        large_from_(other.large_from_) {}
  BasicColumnBuilder& operator=(BasicColumnBuilder&& other) noexcept {
    if (this != &other) {
      buffers_ = std::exchange(other.buffers_, std::make_shared<detail::ColumnBuffers>());
      large_from_ = other.large_from_;
    }
    return *this;
  }

  // Room for `rows` more rows holding `bytes` more bytes of data.
  void Reserve(std::size_t rows, std::size_t bytes = 0) {
    detail::ColumnBuffers& b = Mutable();
    b.data.reserve(b.data.size() + bytes);
    b.validity.reserve(static_cast<std::size_t>((b.rows + static_cast<std::int64_t>(rows)) / 8 + 1));
    if (b.large) {
      b.offsets64.reserve(b.offsets64.size() + rows);
    } else {
      b.offsets32.reserve(b.offsets32.size() + rows);
    }
  }

  // Appends a value. A StringColumnBuilder's must be UTF-8 (std::invalid_argument naming
  // the row and byte otherwise: bytes go in a BinaryColumnBuilder).
  void Append(std::string_view value) {
    detail::ColumnBuffers& b = Mutable();
    const std::size_t start = b.data.size();
    b.data.insert(b.data.end(), value.begin(), value.end());
    if constexpr (Values::kText) {
      // Checked in the copy: the caller's bytes are often just written one at a time, and
      // wide loads of them stall on store forwarding; the copy's stores are wide.
      std::size_t at = 0;
      if (!detail::IsUtf8(std::string_view(b.data.data() + start, value.size()), at)) [[unlikely]] {
        b.data.resize(start);
        ThrowNotUtf8(b.rows, at);
      }
    }
    PushOffset(b);
    if (!b.validity.empty()) SetValid(b, b.rows, true);
    ++b.rows;
  }
  // A std::optional<std::string_view> or std::optional<std::string>: the value, or a null.
  template <class Optional>
    requires std::is_same_v<Optional, std::optional<std::string_view>> ||
             std::is_same_v<Optional, std::optional<std::string>>
  void Append(const Optional& value) {
    if (value) {
      Append(std::string_view(*value));
    } else {
      AppendNull();
    }
  }
  void Append(std::nullopt_t) { AppendNull(); }
  void AppendNull() {
    detail::ColumnBuffers& b = Mutable();
    if (b.validity.empty()) {  // every row so far valid
      b.validity.assign(static_cast<std::size_t>(b.rows / 8 + 1), 0xff);
    }
    PushOffset(b);
    SetValid(b, b.rows, false);
    ++b.rows;
    ++b.nulls;
  }

  std::size_t size() const noexcept { return static_cast<std::size_t>(buffers_->rows); }
  bool empty() const noexcept { return size() == 0; }
  std::int64_t null_count() const noexcept { return buffers_->nulls; }
  // The bytes of data appended so far.
  std::size_t data_size() const noexcept { return buffers_->data.size(); }

  // The rows appended so far as a column sharing this builder's memory (a later Append
  // copies the builder's buffers first, so the column never changes).
  BasicColumn<Values> Column() const {
    const detail::ColumnBuffers& b = *buffers_;
    const std::uint8_t* validity = b.validity.empty() ? nullptr : b.validity.data();
    static const char kEmpty[1] = {0};
    const char* data = b.data.empty() ? kEmpty : b.data.data();
    ColumnChunk chunk = b.large ? ColumnChunk::Offsets64(b.rows, 0, validity, b.nulls, b.offsets64.data(), data)
                                : ColumnChunk::Offsets32(b.rows, 0, validity, b.nulls, b.offsets32.data(), data);
    return BasicColumn<Values>({chunk}, std::shared_ptr<const void>(buffers_));
  }

  // For tests: switch to 64-bit offsets from `bytes` of data instead of 2 GiB.
  void SetLargeFromForTesting(std::int64_t bytes) noexcept { large_from_ = bytes; }

 private:
  detail::ColumnBuffers& Mutable() {
    if (buffers_.use_count() > 1) {  // a column (or a handed-over array) shares them
      buffers_ = std::make_shared<detail::ColumnBuffers>(*buffers_);
    }
    return *buffers_;
  }

  // Inline and one branch in the common case (32-bit offsets, under the limit): it runs per row.
  void PushOffset(detail::ColumnBuffers& b) {
    const auto end = static_cast<std::int64_t>(b.data.size());
    if (!b.large && end <= large_from_) [[likely]] {
      b.offsets32.push_back(static_cast<std::int32_t>(end));
      return;
    }
    if (!b.large) SwitchToLarge(b);
    b.offsets64.push_back(end);
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void ThrowNotUtf8(std::int64_t row, std::size_t byte) {
    throw std::invalid_argument("goray::StringColumnBuilder: row " + std::to_string(row) +
                                " is not valid UTF-8 (byte " + std::to_string(byte) +
                                "): put bytes in a goray::BinaryColumnBuilder");
  }

  [[gnu::cold, gnu::noinline]] static void SwitchToLarge(detail::ColumnBuffers& b) {
    b.offsets64.assign(b.offsets32.begin(), b.offsets32.end());
    b.offsets32 = {};
    b.large = true;
  }

  static void SetValid(detail::ColumnBuffers& b, std::int64_t row, bool valid) {
    const auto byte = static_cast<std::size_t>(row >> 3);
    if (byte >= b.validity.size()) b.validity.push_back(0xff);  // rows come in order: one byte more
    const auto bit = static_cast<std::uint8_t>(1u << (row & 7));
    if (valid) {
      b.validity[byte] |= bit;
    } else {
      b.validity[byte] &= static_cast<std::uint8_t>(~bit);
    }
  }

  std::shared_ptr<detail::ColumnBuffers> buffers_;
  std::int64_t large_from_ = std::numeric_limits<std::int32_t>::max();
};

// A column of UTF-8 strings with nulls (pyarrow string, large_string, string_view, or a
// dictionary of them).
using StringColumn = BasicColumn<detail::StringValues>;
// A column of bytes with nulls (pyarrow binary, large_binary, binary_view, a dictionary of
// them; string columns too).
using BinaryColumn = BasicColumn<detail::BinaryValues>;
// Builds a string column result row by row (UTF-8 checked), returned as a pyarrow string
// array (large_string past 2 GiB).
using StringColumnBuilder = BasicColumnBuilder<detail::StringValues>;
// Builds a binary column result row by row, returned as a pyarrow binary array
// (large_binary past 2 GiB).
using BinaryColumnBuilder = BasicColumnBuilder<detail::BinaryValues>;

}  // namespace goray

namespace goray::codec::detail {

template <>
struct TypeNamer<goray::StringColumn> {
  static std::string Get() { return "goray::StringColumn"; }
};
template <>
struct TypeNamer<goray::BinaryColumn> {
  static std::string Get() { return "goray::BinaryColumn"; }
};
template <>
struct TypeNamer<goray::StringColumnBuilder> {
  static std::string Get() { return "goray::StringColumnBuilder"; }
};
template <>
struct TypeNamer<goray::BinaryColumnBuilder> {
  static std::string Get() { return "goray::BinaryColumnBuilder"; }
};

}  // namespace goray::codec::detail
