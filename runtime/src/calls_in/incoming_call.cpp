// Decoding of Py2Native call payloads into positional arguments.
// Tests: tests/cpp/abi_test.cpp, tests/cpp/bad_input_test.cpp
#include "calls_in/incoming_call.h"

#include <algorithm>
#include <string>

#include "framing/framing.h"
#include "goray/errors.h"

namespace goray::detail {
namespace {

// Strings, bytes and exts point into the request instead of being copied: the
// request outlives the call, and values can be hundreds of MiB.
bool ReferenceEverything(msgpack::type::object_type, std::size_t, void*) { return true; }

// Decodes the next value of `bytes` at `offset`.
msgpack::object UnpackAt(msgpack::zone& zone, std::string_view bytes, std::size_t& offset,
                         std::string_view what, std::string_view callee) {
  bool referenced = false;
  try {
    return msgpack::unpack(zone, bytes.data(), bytes.size(), offset, referenced,
                           &ReferenceEverything, nullptr, codec::UnpackLimitFor(bytes.size()));
  } catch (const std::exception& error) {
    throw ProtocolError("goray::ProtocolError",
                        "malformed msgpack in " + std::string(what) + " at byte " +
                            std::to_string(offset) + ": " + error.what(),
                        std::string(callee));
  }
}

}  // namespace

IncomingCall ParseIncomingCall(std::string_view payload) {
  std::vector<std::string_view> units = SplitUnits(payload);
  if (units.size() < 2) {
    throw ProtocolError("expected at least 2 units (name, arguments), received " +
                        std::to_string(units.size()));
  }
  IncomingCall call;
  call.name = units[0];
  call.zone = std::make_unique<msgpack::zone>();

  std::vector<msgpack::object> plain;
  std::string_view block = units[1];
  for (std::size_t offset = 0; offset < block.size();) {
    plain.push_back(UnpackAt(*call.zone, block, offset, "the arguments block", call.name));
  }

  const std::size_t resolved_count = units.size() - 2;
  const std::size_t total = plain.size() + resolved_count;
  call.args.resize(total);
  std::vector<bool> taken(total, false);
  for (std::size_t i = 2; i < units.size(); ++i) {
    std::string_view unit = units[i];
    if (unit.size() < 8) {
      throw ProtocolError("goray::ProtocolError",
                          "resolved argument unit " + std::to_string(i) + " is shorter than 8 bytes",
                          std::string(call.name));
    }
    const std::uint64_t position = ReadU64(unit.data());
    if (position >= total || taken[position]) {
      throw ProtocolError("goray::ProtocolError",
                          "resolved argument position " + std::to_string(position) +
                              (position >= total ? " is out of range for " + std::to_string(total) +
                                                       " arguments"
                                                 : " appears twice"),
                          std::string(call.name));
    }
    std::string_view value_bytes = unit.substr(8);
    std::size_t offset = 0;
    std::string what = "the resolved argument at position " + std::to_string(position);
    call.args[position] = UnpackAt(*call.zone, value_bytes, offset, what, call.name);
    if (offset != value_bytes.size()) {
      throw ArgumentError(std::string(call.name), static_cast<std::size_t>(position),
                          "one value", "an object holding several values (a multi-return result)");
    }
    taken[position] = true;
  }
  // Plain arguments fill the positions the resolved refs left, in order.
  std::size_t next = 0;
  for (std::size_t position = 0; position < total; ++position) {
    if (!taken[position]) call.args[position] = plain[next++];
  }
  return call;
}

}  // namespace goray::detail
