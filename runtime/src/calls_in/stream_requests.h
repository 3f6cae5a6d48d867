// NextStreamItem and CloseStream (docs/protocol.md §13): their payloads read, and the
// stream table asked.
#pragma once

#include <cstdint>
#include <string_view>

#include "calls_in/generator_streams.h"
#include "calls_in/reply.h"

namespace goray::detail {

// NextStreamItem: `index` is the request word's (how the items are encoded), `payload`
// the u64 stream id, or the batch form's id and limits.
Reply NextStreamItem(StreamTable& streams, std::uint64_t index, std::string_view payload);
// CloseStream: `payload` is the u64 stream id.
Reply CloseStream(StreamTable& streams, std::string_view payload);

}  // namespace goray::detail
