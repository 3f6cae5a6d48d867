// Reading the stream commands' payloads; the stream table serves them.
// Tests: tests/cpp/streams_abi_test.cpp
#include "calls_in/stream_requests.h"

#include <chrono>
#include <string>

#include "framing/framing.h"

namespace goray::detail {
namespace {

// The stream id a NextStreamItem / CloseStream payload holds, or false with `reply` set.
bool ReadStreamId(std::string_view payload, std::string_view command, std::uint64_t* id,
                  Reply* reply) {
  if (payload.size() != 8) {
    *reply = TextReply(kFailed, "goray: " + std::string(command) +
                                    " expects an 8-byte stream id, received " +
                                    std::to_string(payload.size()) + " bytes");
    return false;
  }
  *id = ReadU64(payload.data());
  return true;
}

}  // namespace

Reply NextStreamItem(StreamTable& streams, std::uint64_t index, std::string_view payload) {
  if (index > kStreamItemAsPython) {
    return TextReply(kFailed, "goray: NextStreamItem's request word index is 0 (items as "
                              "RunTask) or 1 (as RunTaskForPython), received " +
                                  std::to_string(index));
  }
  // The batch form: u64 stream id, u32 max items, u32 budget (us), u32 max bytes.
  constexpr std::size_t kBatchRequest = 8 + 4 + 4 + 4;
  if (payload.size() == kBatchRequest) {
    StreamTable::BatchLimits limits;
    limits.max_items = ReadU32(payload.data() + 8);
    limits.budget = std::chrono::microseconds(ReadU32(payload.data() + 12));
    limits.max_bytes = ReadU32(payload.data() + 16);
    if (limits.max_items == 0) {
      return TextReply(kFailed, "goray: NextStreamItem's batch form asks for at least 1 item, received 0");
    }
    return streams.NextBatch(ReadU64(payload.data()), limits);
  }
  std::uint64_t id = 0;
  Reply reply;
  if (!ReadStreamId(payload, "NextStreamItem", &id, &reply)) return reply;
  return streams.Next(id);
}

Reply CloseStream(StreamTable& streams, std::string_view payload) {
  std::uint64_t id = 0;
  Reply reply;
  if (!ReadStreamId(payload, "CloseStream", &id, &reply)) return reply;
  return streams.Close(id);
}

}  // namespace goray::detail
