// Per-row work in a batch: goray::ForEachRow(rows, body) calls body(row) for each row, and
// an exception thrown for one row leaves the call naming that row: Python's NativeError
// has `row`, and its text reads "row 17 failed: <type>: <message> (task <name>)", as
// goray.map names a failed item (docs/errors.md, "Which row failed").
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

namespace goray {
namespace detail {

// Inside a catch block: the exception being handled was thrown for `row` (kept with the
// exception itself, so a later exception is never taken for it; an inner batch's row is
// kept over an outer one's).
void NoteFailedRow(std::size_t row) noexcept;

// Inside a catch block: the row the exception being handled was thrown for, if any.
std::optional<std::size_t> FailedRowOfCurrentException() noexcept;

}  // namespace detail

// Calls body(row) for row = 0 .. rows - 1, in order. An exception body throws leaves as
// it is (same type, same object), naming its row to the call's caller.
template <class Body>
void ForEachRow(std::size_t rows, Body&& body) {
  std::size_t row = 0;
  try {
    for (; row < rows; ++row) body(row);
  } catch (...) {
    detail::NoteFailedRow(row);
    throw;
  }
}

}  // namespace goray
