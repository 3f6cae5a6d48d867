// ObjectRef: shared driver ids released with the last copy; Get, Wait, Cancel.
// Tests: tests/cpp/get_lend_test.cpp, tests/cpp/remote_api_test.cpp
#include "goray/object_ref.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "framing/framing.h"
#include "refs/get_object_request.h"
#include "refs/live_refs.h"
#include "refs/prefetched.h"
#include "calls_out/submission_queue.h"
#include "goray/detail/features.h"
#include "goray/detail/submission.h"

namespace goray {

struct ObjectRef::State {
  std::uint64_t id = 0;
  std::string origin;
  bool live = false;  // counted in live_refs (reading ahead was on when it was made)
  ~State() {
    if (live) detail::DropLiveRef(id);
    detail::DropPrefetched(id);  // a value sent ahead that nobody read
    if (detail::FeatureOn(detail::kFeaturePipelined)) {
      detail::EnqueueRelease(detail::kRecordReleaseObject, id);  // after what used it
      return;
    }
    if (detail::SubmissionsShutDown()) return;  // exiting: Python may be gone
    try {
      std::string payload;
      detail::AppendU64(payload, id);
      detail::DriverReply reply = detail::CallDriver(detail::kReleaseObject, payload);
      // ObjectRefNotFound: the driver no longer knows it (e.g. released by auto_release): nothing to free.
      if (reply.code != detail::kSuccess && reply.code != detail::kObjectRefNotFound) {
        std::fprintf(stderr, "goray: releasing object ref %llu failed: %.*s\n",
                     static_cast<unsigned long long>(id), static_cast<int>(reply.data.view().size()),
                     reply.data.view().data());
      }
    } catch (const std::exception& error) {
      std::fprintf(stderr, "goray: releasing object ref %llu failed: %s\n",
                   static_cast<unsigned long long>(id), error.what());
    }
  }
};

ObjectRef::ObjectRef(std::uint64_t id, std::string origin) : state_(std::make_shared<State>()) {
  state_->id = id;
  state_->origin = std::move(origin);
  if (detail::FeatureOn(detail::kFeatureGetAhead)) {
    detail::AddLiveRef(id);
    state_->live = true;
  }
}

std::uint64_t ObjectRef::id() const {
  if (!state_) throw Error("goray::Error", "use of a moved-from ObjectRef");
  return state_->id;
}

const std::string& ObjectRef::origin() const {
  static const std::string kNone;
  return state_ ? state_->origin : kNone;
}

// Errors name the task first ("(task Square, object 4)"): the id alone means nothing to
// the user; it stays for matching with the driver's logs.
std::string ObjectRef::Describe() const {
  const std::string object = "object " + std::to_string(id());
  return state_->origin.empty() ? object : state_->origin + ", " + object;
}

namespace {

// A reply as the owner of its payload.
detail::FetchedObject Owned(detail::DriverBytes bytes) {
  detail::FetchedObject fetched;
  fetched.payload = bytes.view();
  fetched.owner = std::move(bytes).Share();
  return fetched;
}

// The owner of an answer that lent the object store's memory: the answer's bytes
// are freed (or their share dropped), then the lent id released as the last copy
// of an ObjectRef releases its id (members are destroyed in reverse order).
struct LentReply {
  ObjectRef lent;
  std::shared_ptr<void> bytes;
};

}  // namespace

detail::FetchedObject ObjectRef::Fetch(double timeout_seconds) const {
  if (std::optional<detail::DriverBytes> ahead = detail::TakePrefetched(id())) {
    return Owned(std::move(*ahead));
  }
  return detail::GetObjectPayload(id(), timeout_seconds, Describe());
}

void ObjectRef::CancelWith(const std::vector<Option>& options) const {
  std::string json = detail::OpenJsonWithOptions(options);
  json += R"("object_ref_local_id":)" + std::to_string(id()) + '}';
  detail::DriverReply reply = detail::CallDriver(detail::kCancelObject, json);
  if (reply.code != detail::kSuccess) detail::ThrowDriverFailure(reply, Describe());
}

detail::FetchedObject detail::GetObjectPayload(std::uint64_t id, double timeout_seconds,
                                               std::string_view what) {
  FlushSubmissions();  // a batch failing now is one this Get must report
  if (std::optional<LostSubmission> lost = FindLostSubmission(id)) {
    ThrowDriverFailure(lost->code, lost->text, lost->callee);
  }
  const bool lend = FeatureOn(kFeatureArraysOutOfBand);
  // GetObjects of one id where the driver has it: a binary request, no JSON to parse.
  if (FeatureOn(kFeaturePipelined)) {
    ObjectEntry entry = GetOneObject(id, timeout_seconds, lend, &AdoptLentEntry, what);
    FetchedObject fetched;
    fetched.payload = entry.payload;
    fetched.owner = std::move(entry.owner);
    fetched.lent = entry.lent;
    return fetched;
  }
  DriverReply reply = CallDriver(kGetObject, GetObjectRequest(id, timeout_seconds, lend));
  if (reply.code != kSuccess) ThrowDriverFailure(reply, what);  // failures have no prefix
  if (!lend) return Owned(std::move(reply.data));
  const std::string_view body = reply.data.view();
  return AdoptLent(body, std::move(reply.data).Share(), "a GetObject reply", what);
}

detail::FetchedObject detail::AdoptLent(std::string_view body, std::shared_ptr<void> owner,
                                        std::string_view reply, std::string_view what) {
  if (body.size() < 8) {
    throw ProtocolError("goray::ProtocolError",
                        std::string(reply) + " to a lend request starts with an 8-byte lent id, "
                        "received " + std::to_string(body.size()) + " bytes",
                        std::string(what));
  }
  const std::uint64_t lent = ReadU64(body.data());
  FetchedObject fetched;
  fetched.payload = body.substr(8);
  if (lent == 0) {
    fetched.owner = std::move(owner);
    return fetched;
  }
  fetched.owner = std::make_shared<LentReply>(LentReply{ObjectRef(lent), std::move(owner)});
  fetched.lent = true;
  return fetched;
}

void detail::AdoptLentEntry(ObjectEntry& entry, std::string_view body, std::shared_ptr<void> owner,
                            std::string_view reply) {
  FetchedObject fetched = AdoptLent(body, std::move(owner), reply, entry.what);
  entry.payload = fetched.payload;
  entry.owner = std::move(fetched.owner);
  entry.lent = fetched.lent;
}

std::string detail::GetObjectRequest(std::uint64_t id, double timeout_seconds, bool lend) {
  std::string json = "[" + std::to_string(id) + ",";
  if (timeout_seconds < 0) {
    json += "-1";
  } else {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", timeout_seconds);
    json += text;
  }
  json += lend ? ",false,1]" : ",false]";
  return json;
}

}  // namespace goray
