// Wording of argument decode failures.
// Tests: tests/cpp/bad_input_test.cpp
#include "goray/detail/arg_list.h"

namespace goray::detail {

std::string ArgList::DescribeReceived(const codec::DecodeError& error,
                                      const msgpack::object& value) {
  return codec::DescribeReceived(error, codec::ReceivedTypeName(value));
}

ArgumentError ArgList::Refusal(std::string_view callee, std::size_t position,
                               std::string expected, const codec::DecodeError& error,
                               const msgpack::object& value) {
  const bool field = error.kind() != codec::DecodeError::Kind::kValue;
  return ArgumentError(std::string(callee), position, std::move(expected),
                       DescribeReceived(error, value), error.path(),
                       field ? error.struct_name() : std::string());
}

}  // namespace goray::detail
