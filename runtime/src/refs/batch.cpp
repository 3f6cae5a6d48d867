// Batches: GetObjects (Native2Py 34) with a one-GetObject-per-id fallback, Wait
// with "goray_all_ready", and AsCompleted on top of both.
// Tests: tests/cpp/pipeline_test.cpp
#include "goray/batch.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>

#include "framing/framing.h"
#include "refs/get_object_request.h"
#include "refs/get_objects.h"
#include "refs/live_refs.h"
#include "goray/detail/features.h"
#include "goray/detail/protocol_numbers.h"
#include "goray/detail/submission.h"
#include "calls_out/submission_queue.h"

namespace goray {
namespace detail {
namespace {

// The entry of a submission whose batch never reached the driver, if `id` is one.
bool LostReply(std::uint64_t id, ObjectReply* reply) {
  std::optional<LostSubmission> lost = FindLostSubmission(id);
  if (!lost) return false;
  auto text = std::make_shared<std::string>(std::move(lost->text));
  reply->code = lost->code;
  reply->payload = *text;
  reply->owner = text;
  reply->what = lost->callee;
  return true;
}

// A GetObjects or GetObject entry as the reply Get decodes (its refs adopted later).
void MoveEntry(ObjectEntry& entry, ObjectReply& reply) {
  reply.code = entry.code;
  reply.payload = entry.payload;
  reply.owner = std::move(entry.owner);
  reply.lent = entry.lent;
  reply.what = std::move(entry.what);
}

}  // namespace

void NameReply(ObjectReply& reply, const ObjectRef& ref) {
  if (!ref.origin().empty()) reply.what = ref.origin() + ", " + reply.what;
}

std::vector<std::uint64_t> IdsOf(const std::vector<ObjectRef>& refs) {
  std::vector<std::uint64_t> ids;
  ids.reserve(refs.size());
  for (const ObjectRef& ref : refs) ids.push_back(ref.id());
  return ids;
}

// The replies as they came (their refs not adopted yet).
std::vector<ObjectReply> FetchEntries(const std::vector<std::uint64_t>& ids, double timeout_seconds);

// Adopts the refs and handles of every successful entry at once, so that none is
// left unowned when an earlier entry's failure is thrown. The first adoption
// error is thrown after all the others are owned.
void AdoptAll(std::vector<ObjectReply>& replies) {
  std::exception_ptr first_error;
  for (ObjectReply& reply : replies) {
    if (reply.code != kSuccess || !codec::detail::ReceivedRefs::MayHold(reply.payload)) continue;
    auto refs = std::make_shared<codec::detail::ReceivedRefs>();
    try {
      refs->AdoptBlock(reply.payload, reply.what);
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
      continue;
    }
    reply.refs = std::move(refs);
  }
  if (first_error) std::rethrow_exception(first_error);
}

std::vector<ObjectReply> FetchObjects(const std::vector<std::uint64_t>& ids, double timeout_seconds) {
  std::vector<ObjectReply> replies = FetchEntries(ids, timeout_seconds);
  AdoptAll(replies);
  return replies;
}

std::vector<ObjectReply> FetchEntries(const std::vector<std::uint64_t>& ids, double timeout_seconds) {
  FlushSubmissions();  // a batch failing now is one these must report
  std::vector<ObjectReply> replies(ids.size());
  std::vector<std::uint64_t> asked;
  std::vector<std::size_t> slots;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!LostReply(ids[i], &replies[i])) {
      asked.push_back(ids[i]);
      slots.push_back(i);
    }
  }
  if (asked.empty()) return replies;
  const bool lend = FeatureOn(kFeatureArraysOutOfBand);
  if (FeatureOn(kFeaturePipelined)) {
    std::vector<ObjectEntry> entries(replies.size());
    GetObjectsBatch(asked, slots, timeout_seconds, lend, entries, &AdoptLentEntry);
    for (std::size_t slot : slots) MoveEntry(entries[slot], replies[slot]);
    return replies;
  }
  // A driver without GetObjects: one GetObject each, within one deadline.
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < asked.size(); ++i) {
    double left = timeout_seconds;
    if (timeout_seconds >= 0) {
      left = std::max(0.0, timeout_seconds - ToSeconds(std::chrono::steady_clock::now() - start));
    }
    DriverReply reply = CallDriver(kGetObject, GetObjectRequest(asked[i], left, lend));
    ObjectEntry entry;
    entry.what = DescribeObject(asked[i]);
    // Whole-request failures, as GetObjects answers them.
    if (reply.code == kTimeout || reply.code == kObjectRefNotFound) ThrowDriverFailure(reply, entry.what);
    entry.code = reply.code;
    const std::string_view body = reply.data.view();
    FillEntry(entry, body, std::move(reply.data).Share(), lend && entry.code == kSuccess,
              "a GetObject reply", &AdoptLentEntry);
    MoveEntry(entry, replies[slots[i]]);
    if (replies[slots[i]].code != kSuccess) break;  // the first failure in order is what Get throws
  }
  return replies;
}

std::pair<std::vector<std::size_t>, std::vector<std::size_t>> WaitIndices(
    const std::vector<std::uint64_t>& ids, std::size_t num_returns, double timeout_seconds,
    bool all_ready) {
  std::pair<std::vector<std::size_t>, std::vector<std::size_t>> result;
  // A lost submission is ready (its failure is its value); the driver never had it.
  FlushSubmissions();
  std::vector<std::uint64_t> asked;
  std::vector<std::size_t> slots;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ObjectReply lost;
    if (LostReply(ids[i], &lost)) {
      result.first.push_back(i);
    } else {
      asked.push_back(ids[i]);
      slots.push_back(i);
    }
  }
  const std::size_t still = num_returns > result.first.size() ? num_returns - result.first.size() : 0;
  if (asked.empty() || still == 0) {
    for (std::size_t slot : slots) result.second.push_back(slot);
    return result;
  }
  nlohmann::json request = {{"num_returns", still}};
  request["object_ref_local_ids"] = asked;
  if (timeout_seconds >= 0) request["timeout"] = timeout_seconds;
  if (all_ready && FeatureOn(kFeaturePipelined)) request["goray_all_ready"] = true;
  DriverReply reply = CallDriver(kWaitObject, request.dump());
  if (reply.code != kSuccess) ThrowDriverFailure(reply, "Wait");
  nlohmann::json answer = nlohmann::json::parse(reply.data.view(), nullptr, false);
  if (!answer.is_array() || answer.size() != 2 || !answer[0].is_array() || !answer[1].is_array()) {
    throw ProtocolError("goray::ProtocolError", "WaitObject reply is not [[ready], [pending]]", "Wait");
  }
  for (const auto& index : answer[0]) result.first.push_back(slots.at(index.get<std::size_t>()));
  for (const auto& index : answer[1]) result.second.push_back(slots.at(index.get<std::size_t>()));
  std::sort(result.first.begin(), result.first.end());
  return result;
}

}  // namespace detail

CompletionStream::CompletionStream(std::vector<ObjectRef> refs, double timeout_seconds)
    : refs_(std::move(refs)), timeout_seconds_(timeout_seconds) {
  pending_.reserve(refs_.size());
  for (std::size_t i = 0; i < refs_.size(); ++i) {
    refs_[i].id();  // a moved-from ref fails here, not mid-iteration
    pending_.push_back(i);
  }
  if (timeout_seconds_ >= 0) {
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(timeout_seconds_));
  }
}

bool CompletionStream::Next() {
  if (started_ && !ready_.empty()) ready_.pop_front();
  started_ = true;
  if (ready_.empty() && !pending_.empty()) FetchReadyGroup();
  return !ready_.empty();
}

void CompletionStream::FetchReadyGroup() {
  double left = detail::kForever;
  if (timeout_seconds_ >= 0) {
    left = std::max(0.0, detail::ToSeconds(deadline_ - std::chrono::steady_clock::now()));
  }
  std::vector<std::uint64_t> ids;
  ids.reserve(pending_.size());
  for (std::size_t index : pending_) ids.push_back(refs_[index].id());
  // Pipelining on: every ref ready now comes back at once; off: one at a time.
  auto [ready, rest] = detail::WaitIndices(ids, 1, left, /*all_ready=*/true);
  if (ready.empty()) {
    throw TimeoutError("goray::TimeoutError",
                       std::to_string(pending_.size()) + " of " + std::to_string(refs_.size()) +
                           " refs not ready within the timeout",
                       "AsCompleted");
  }
  std::vector<std::uint64_t> ready_ids;
  ready_ids.reserve(ready.size());
  for (std::size_t position : ready) ready_ids.push_back(ids[position]);
  std::vector<detail::ObjectReply> replies;
  if (detail::FeatureOn(detail::kFeaturePipelined)) {
    replies = detail::FetchObjects(ready_ids, detail::kForever);
  } else {
    // GetObject each, keeping every failure in its own item (FetchObjects' fallback
    // stops at the first, as Get wants).
    for (std::uint64_t id : ready_ids) {
      std::vector<detail::ObjectReply> one = detail::FetchObjects({id}, detail::kForever);
      replies.push_back(std::move(one.front()));
    }
  }
  std::vector<std::size_t> still;
  still.reserve(rest.size());
  for (std::size_t position : rest) still.push_back(pending_[position]);
  for (std::size_t i = 0; i < ready.size(); ++i) {
    const std::size_t index = pending_[ready[i]];
    detail::NameReply(replies[i], refs_[index]);
    ready_.emplace_back(index, refs_[index], std::move(replies[i]));
  }
  pending_ = std::move(still);
}

std::pair<std::vector<ObjectRef>, std::vector<ObjectRef>> WaitFor(const std::vector<ObjectRef>& refs,
                                                                  std::size_t num_returns,
                                                                  double timeout_seconds) {
  if (num_returns > refs.size()) {
    throw std::invalid_argument("goray::Wait: num_returns " + std::to_string(num_returns) +
                                " is larger than the " + std::to_string(refs.size()) + " refs given");
  }
  auto [ready, pending] = detail::WaitIndices(detail::IdsOf(refs), num_returns, timeout_seconds,
                                             /*all_ready=*/false);
  std::pair<std::vector<ObjectRef>, std::vector<ObjectRef>> result;
  for (std::size_t index : ready) result.first.push_back(refs.at(index));
  for (std::size_t index : pending) result.second.push_back(refs.at(index));
  return result;
}

std::pair<std::vector<ObjectRef>, std::vector<ObjectRef>> Wait(const std::vector<ObjectRef>& refs,
                                                               std::size_t num_returns) {
  return WaitFor(refs, num_returns, -1);
}

}  // namespace goray
