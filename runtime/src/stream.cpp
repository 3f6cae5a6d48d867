// goray::Stream's driver commands: NextStreamRef (Native2Py 36) and the cancel
// of a stream (CancelObject 9), docs/protocol.md §13.
#include "goray/stream.h"

#include <bit>
#include <nlohmann/json.hpp>

#include "framing.h"

namespace goray::detail {
namespace {

std::string Describe(std::uint64_t stream_id) { return "stream " + std::to_string(stream_id); }

// Whether a code-1 reply to NextStreamRef comes from a driver that knows streams:
// a structured failure (docs/protocol.md §9) or its answer for an id that is no
// stream. Any other text is a driver's "unknown command" (GoRay's, or goray's
// before protocol version 5), which only ever gets here through a stream that
// driver created without knowing it.
bool KnowsStreams(std::string_view text) {
  if (text.find("is not a stream") != std::string_view::npos) return true;
  const nlohmann::json failure = nlohmann::json::parse(text, nullptr, false);
  return failure.is_object() && failure.contains("Error");
}

}  // namespace

std::optional<std::uint64_t> NextStreamRef(std::uint64_t stream_id, double timeout_seconds) {
  std::string request;
  AppendU64(request, stream_id);
  AppendU64(request, std::bit_cast<std::uint64_t>(timeout_seconds < 0 ? kForever : timeout_seconds));
  DriverReply reply = CallDriver(kNextStreamRef, request);
  const std::string what = Describe(stream_id);
  if (reply.code == 1 && !KnowsStreams(reply.data.view())) {
    throw PythonError("goray::Error",
                      "this driver does not know streams (it answered NextStreamRef, Native2Py 36, "
                      "with: " + std::string(reply.data.view()) +
                          "); streams need goray's driver of protocol version 5",
                      what);
  }
  if (reply.code != 0) ThrowDriverFailure(reply, what);
  if (reply.data.view().empty()) return std::nullopt;  // the generator finished
  return ParseId(reply.data.view(), what);
}

void CancelStream(std::uint64_t stream_id, bool force) {
  std::string json = R"({"force":)";
  json += force ? "true" : "false";
  json += R"(,"object_ref_local_id":)" + std::to_string(stream_id) + '}';
  DriverReply reply = CallDriver(kCancelObject, json);
  if (reply.code != 0) ThrowDriverFailure(reply, Describe(stream_id));
}

}  // namespace goray::detail
