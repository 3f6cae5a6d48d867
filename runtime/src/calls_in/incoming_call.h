// A Py2Native call payload (docs/protocol.md §2): the callee's name, the args block and
// the ObjectRef arguments Ray resolved, merged into one positional list; and the refs and
// handles among them, adopted for the call.
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

// Adopts the refs and handles among a call's arguments (they belong to this library
// now) and makes them what the arguments decode from while it lives; the ones the
// callee did not keep are released with it.
class ReceivedArgs {
 public:
  explicit ReceivedArgs(const IncomingCall& call) {
    refs_.Adopt(call.args.data(), call.args.size(), call.name);
  }

 private:
  codec::detail::ReceivedRefs refs_;
  codec::detail::ReceivedRefsScope scope_{&refs_};
};

}  // namespace goray::detail
