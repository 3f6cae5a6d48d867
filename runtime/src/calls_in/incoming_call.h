// A Py2Native call payload (docs/protocol.md §2): the callee's name, the args block and
// the ObjectRef arguments Ray resolved, merged into one positional list.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "goray/codec.h"

namespace goray::detail {

struct IncomingCall {
  std::string_view name;                 // task, actor type or method
  std::unique_ptr<msgpack::zone> zone;   // owns the decoded values
  std::vector<msgpack::object> args;     // in parameter order
};

// Parses units(name, args block, resolved refs...). Strings and bytes reference
// `payload`, which must outlive the result. Malformed input throws ProtocolError.
IncomingCall ParseIncomingCall(std::string_view payload);

}  // namespace goray::detail
