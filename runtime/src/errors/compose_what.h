// The one text of a failure: "type: message (task name)". goray::Error's what() and the
// code-5 reply's Message both use it, so the two never drift apart.
// Tests: tests/cpp/failure_payload_test.cpp
#pragma once

#include <string>
#include <string_view>

namespace goray::detail {

// A failure without a type (a Go panic) is its message alone; without a task, no suffix.
std::string ComposeWhat(std::string_view type, std::string_view message, std::string_view task);

}  // namespace goray::detail
