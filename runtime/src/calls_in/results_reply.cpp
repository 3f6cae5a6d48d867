// Results handed over by address (docs/protocol.md §10, "Arrays out of band"), and taken
// back by ReleaseArray.
// Tests: tests/cpp/out_of_band_abi_test.cpp
#include "calls_in/results_reply.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "codec/array_handoff.h"
#include "framing/framing.h"

namespace goray::detail {

Reply OutOfBandReply(const codec::Buffer& results, codec::detail::ScatterScope& scatter) {
  std::vector<codec::detail::ScatteredData>& datas = scatter.datas();
  const std::string_view block(results.data(), results.size());
  const std::size_t count = codec::detail::CountScatteredValues(block, datas);
  if (count > UINT32_MAX) throw std::length_error("goray: over 2^32 results");
  Reply reply;
  std::string head;
  AppendU32(head, static_cast<std::uint32_t>(count));
  if (scatter.pinned() && !datas.empty()) {
    AppendU32(head, 0);
    codec::Buffer joined(head.size() + block.size() + scatter.left_out());
    joined.write(head.data(), head.size());
    codec::detail::JoinScattered(block, datas, joined);
    reply.body = std::move(joined);
    return reply;
  }
  AppendU32(head, static_cast<std::uint32_t>(datas.size()));
  std::vector<std::uint64_t> tokens;
  tokens.reserve(datas.size());
  try {
    for (codec::detail::ScatteredData& data : datas) {
      // The scope copied unowned data (Unowned::kCopy): every owner is set.
      tokens.push_back(
          codec::detail::RegisterHandoff(std::const_pointer_cast<void>(std::move(data.owner))));
      AppendU64(head, data.offset);
      AppendU64(head, data.length);
      AppendU64(head, reinterpret_cast<std::uintptr_t>(data.address));
      AppendU64(head, tokens.back());
    }
    reply.body = codec::Buffer(head.size() + block.size());
    reply.body.write(head.data(), head.size());
    reply.body.write(block.data(), block.size());
  } catch (...) {
    for (std::uint64_t token : tokens) codec::detail::ReleaseHandoff(token);
    throw;
  }
  return reply;
}

Reply ReleaseArray(std::string_view payload) {
  if (payload.size() != 8) {
    return TextReply(kFailed, "goray: ReleaseArray expects an 8-byte token, received " +
                                  std::to_string(payload.size()) + " bytes");
  }
  const std::uint64_t token = ReadU64(payload.data());
  if (!codec::detail::ReleaseHandoff(token)) {
    return TextReply(kFailed, "goray: unknown array token " + std::to_string(token));
  }
  return Reply{};
}

}  // namespace goray::detail
