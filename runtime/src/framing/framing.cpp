// Parsing of units messages.
// Tests: tests/cpp/abi_test.cpp, tests/cpp/bad_input_test.cpp
#include "framing/framing.h"

#include "goray/errors.h"

namespace goray::detail {

std::vector<std::string_view> SplitUnits(std::string_view message) {
  std::vector<std::string_view> units;
  std::size_t offset = 0;
  while (offset < message.size()) {
    if (message.size() - offset < 8) {
      throw ProtocolError("truncated unit header at byte " + std::to_string(offset) + " of " +
                          std::to_string(message.size()));
    }
    const std::uint64_t length = ReadU64(message.data() + offset);
    offset += 8;
    if (length > message.size() - offset) {
      throw ProtocolError("unit " + std::to_string(units.size()) + " claims " +
                          std::to_string(length) + " bytes but only " +
                          std::to_string(message.size() - offset) + " remain");
    }
    units.push_back(message.substr(offset, length));
    offset += length;
  }
  return units;
}

}  // namespace goray::detail
