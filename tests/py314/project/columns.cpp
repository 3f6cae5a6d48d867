// String and binary columns on CPython 3.14 (tests/py314/test_columns.py): tasks and an
// actor, scanned by goray-gen as a user's are, that take goray::StringColumn /
// goray::BinaryColumn and std::vector<std::string_view> parameters and return column
// builders, called in-process, through Ray and from goray.data on a Ray Data dataset.
#include <goray/goray.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace py314cols {

// A batch out: the text upper-cased, the payload reversed, and both values' lengths.
struct Cleaned {
  goray::StringColumnBuilder label;
  goray::BinaryColumnBuilder reversed;
  goray::Array<int64_t> length;
};

inline std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

// A value's length in bytes, -1 for a null (a row's is its text's plus its payload's).
inline int64_t Length(std::optional<std::string_view> value) {
  return value ? static_cast<int64_t>(value->size()) : -1;
}

inline Cleaned Clean(const goray::StringColumn& text, const goray::BinaryColumn& payload) {
  if (text.size() != payload.size()) throw std::invalid_argument("text and payload differ in rows");
  Cleaned out{{}, {}, goray::Array<int64_t>::Zeros({static_cast<int64_t>(text.size())})};
  out.label.Reserve(text.size());
  out.reversed.Reserve(payload.size());
  for (std::size_t row = 0; row < text.size(); ++row) {
    auto word = text[row];
    auto bytes = payload[row];
    out.label.Append(word ? std::optional<std::string>(Upper(*word)) : std::nullopt);
    out.reversed.Append(bytes ? std::optional<std::string>(std::string(bytes->rbegin(), bytes->rend()))
                              : std::nullopt);
    out.length[static_cast<int64_t>(row)] = Length(word) + Length(bytes);
  }
  return out;
}

}  // namespace py314cols

struct GORAY_TASKS ColumnTasks {
  /// Both columns at once: a struct of a string column, a binary column and lengths.
  static py314cols::Cleaned Clean(const goray::StringColumn& text, const goray::BinaryColumn& payload) {
    return py314cols::Clean(text, payload);
  }
  /// The text upper-cased (ASCII), nulls kept.
  static goray::StringColumnBuilder UpperText(const goray::StringColumn& text) {
    goray::StringColumnBuilder out;
    for (auto word : text) out.Append(word ? std::optional<std::string>(py314cols::Upper(*word)) : std::nullopt);
    return out;
  }
  /// Each value's bytes reversed, nulls kept.
  static goray::BinaryColumnBuilder ReversedBytes(const goray::BinaryColumn& payload) {
    goray::BinaryColumnBuilder out;
    for (auto bytes : payload) {
      out.Append(bytes ? std::optional<std::string>(std::string(bytes->rbegin(), bytes->rend())) : std::nullopt);
    }
    return out;
  }
  /// The words joined by `separator` (a column without nulls, or a list of str).
  static std::string Joined(std::vector<std::string_view> words, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) out.append(i ? separator : "").append(words[i]);
    return out;
  }
  /// Where the column's first chunk's data lies: the caller's buffer when read in place.
  static uint64_t TextDataAddress(const goray::StringColumn& text) {
    const auto chunks = text.chunks();
    return chunks.empty() ? 0 : reinterpret_cast<uint64_t>(chunks.front().data());
  }
};

/// Keeps a count of the rows and nulls it has seen, across calls.
class ColumnTally {
 public:
  /// Adds a column's rows; returns the rows seen so far.
  int64_t Add(const goray::BinaryColumn& payload) {
    nulls_ += payload.null_count();
    return rows_ += static_cast<int64_t>(payload.size());
  }
  int64_t Nulls() const { return nulls_; }
  /// A batch for goray.data's actor_udf, counted too.
  py314cols::Cleaned Clean(const goray::StringColumn& text, const goray::BinaryColumn& payload) {
    Add(payload);
    return py314cols::Clean(text, payload);
  }

 private:
  int64_t rows_ = 0;
  int64_t nulls_ = 0;
};

struct GORAY_ACTORS ColumnActors {
  static std::unique_ptr<::ColumnTally> ColumnTally() { return std::make_unique<::ColumnTally>(); }
};
