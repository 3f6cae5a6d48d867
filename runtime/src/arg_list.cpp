// Wording of argument decode failures.
#include "goray/detail/arg_list.h"

namespace goray::detail {

std::string ArgList::DescribeReceived(const codec::DecodeError& error,
                                      const msgpack::object& value) {
  return codec::DescribeReceived(error, codec::ReceivedTypeName(value));
}

}  // namespace goray::detail
