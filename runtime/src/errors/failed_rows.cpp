// The row an exception was thrown for (goray/rows.h): kept with the exception object,
// per thread, read where a call's exception becomes its failure reply.
// Tests: tests/cpp/failed_rows_test.cpp
#include <cstddef>
#include <exception>
#include <optional>

#include "goray/rows.h"

namespace goray::detail {
namespace {

struct FailedRow {
  std::exception_ptr exception;
  std::size_t row = 0;
};
thread_local FailedRow t_failed;

}  // namespace

void NoteFailedRow(std::size_t row) noexcept {
  std::exception_ptr current = std::current_exception();
  if (current == nullptr || current == t_failed.exception) return;  // (an inner batch's row)
  t_failed.exception = std::move(current);
  t_failed.row = row;
}

std::optional<std::size_t> FailedRowOfCurrentException() noexcept {
  if (t_failed.exception == nullptr) return std::nullopt;
  std::exception_ptr current = std::current_exception();
  std::optional<std::size_t> row;
  if (current == t_failed.exception) row = t_failed.row;
  t_failed.exception = nullptr;  // read once: the exception is answered now
  return row;
}

}  // namespace goray::detail
