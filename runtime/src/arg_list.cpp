// Wording of argument decode failures.
#include "goray/detail/arg_list.h"

namespace goray::detail {

std::string ArgList::DescribeReceived(const codec::DecodeError& error,
                                      const msgpack::object& value) {
  if (error.path().empty()) return error.received();
  return std::string(codec::ReceivedTypeName(value)) + " (at " + error.path() + ": expected " +
         error.expected() + ", received " + error.received() + ")";
}

}  // namespace goray::detail
