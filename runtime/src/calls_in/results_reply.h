// The encode stage of a call (calls_in/serve_call.cpp): its results as the reply's body,
// the ordinary block or, for RunTaskOutOfBand / ActorMethodCallOutOfBand (docs/protocol.md
// §10, "Arrays out of band"), the block with its large arrays handed over by address; and
// ReleaseArray, which takes such an array back.
#pragma once

#include <string_view>

#include "calls_in/reply.h"
#include "goray/codec.h"

namespace goray::detail {

// The out-of-band answer for the results `scatter` left out of `results`: u32 value
// count, u32 n, n x (u64 offset, length, address, token), the compact block. Results
// naming refs or handles are never scattered: n = 0 and the ordinary block. The tokens are
// released again if this throws.
Reply OutOfBandReply(const codec::Buffer& results, codec::detail::ScatterScope& scatter);

// The reply of a call whose results `run(out)` encodes into `out`: the ordinary block,
// or with `out_of_band` the scattered answer. What `run` throws propagates (the data
// recorded so far is dropped, no token made).
template <class Run>
Reply ResultsReply(bool out_of_band, Run&& run) {
  Reply reply;
  if (!out_of_band) {
    run(reply.body);
    return reply;
  }
  // Only what is encoded into reply.body scatters: the results, not arrays the callee
  // sends elsewhere while it runs. Owners keep the data alive until ReleaseArray.
  codec::detail::ScatterScope scatter(reply.body, 0, codec::detail::ScatterScope::Unowned::kCopy);
  run(reply.body);
  return OutOfBandReply(reply.body, scatter);
}

// Py2Native ReleaseArray: the u64 token of an array an out-of-band answer handed over.
Reply ReleaseArray(std::string_view payload);

}  // namespace goray::detail
