// Pipelined submissions: records queued by any thread, sent in order as one
// SubmitBatch (Native2Py 33) per flush by a lazily started flusher thread or by
// the caller (backpressure, or a command that needs them sent first).
//
// Order: records are taken from the queue and sent under one send mutex, so
// batches reach the driver in the order their records were queued. The mutex
// is recursive: a driver that calls back into this library while a batch is
// being sent (an Execute on the sending thread) may flush again.
// Tests: tests/cpp/get_lend_test.cpp, tests/cpp/pipeline_test.cpp,
// tests/ray/test_refs_in_values_cpp.py
#include "calls_out/submission_queue.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#if defined(__linux__)
#include <pthread.h>
#endif
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "framing/framing.h"
#include "goray/detail/driver_call.h"
#include "goray/detail/features.h"
#include "goray/detail/submission.h"

namespace goray::detail {
namespace {

// Past either, the caller sends the queue itself instead of waiting for the flusher.
constexpr std::size_t kMaxQueuedRecords = 4096;
constexpr std::size_t kMaxQueuedBytes = std::size_t{8} << 20;
// Releases alone wait for company: a trip into Python per dropped ref would cost
// more than the release. They go with the next submissions or command, or once
// this many are queued, or after kReleaseDelay.
constexpr std::size_t kReleaseBatch = 256;
constexpr auto kReleaseDelay = std::chrono::milliseconds(20);

// Writes `value` little-endian over out[at, at + bytes).
void PatchLe(std::string& out, std::size_t at, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

void AppendString(std::string& out, std::string_view text) {
  AppendU32(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

struct Record {
  std::string head;
  codec::Buffer args{0};
  std::size_t args_offset = 0;
  Pins pins;
  std::uint64_t result_id = 0;  // 0: a definition or a release
  std::string callee;

  std::size_t size() const noexcept { return head.size() + args.size() - args_offset; }
};

class SubmissionQueue {
 public:
  // Never destroyed: the flusher may still be inside the driver at process exit.
  static SubmissionQueue& Instance() {
    static auto* queue = new SubmissionQueue;
    return *queue;
  }

  std::uint64_t Enqueue(Record record, std::string_view option_members, std::size_t options_id_at);
  void EnqueueRelease(RecordKind kind, std::uint64_t id);
  void Flush();
  void ShutDown();
  std::optional<LostSubmission> FindLost(std::uint64_t id);
  bool SubmissionsQueued() {
    std::lock_guard lock(mu_);
    return submissions_queued_ > 0;
  }
  void ForgetOptionSets() {
    std::lock_guard lock(mu_);
    option_sets_.clear();  // (ids keep counting up: a queued use still names its own)
  }

  SubmissionStats Stats() {
    std::lock_guard lock(mu_);
    return {records_.size(), inline_sends_};
  }

 private:
  void Push(Record&& record);  // holds mu_
  void SendQueued();
  void FlusherLoop();

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Record> records_;
  std::size_t submissions_queued_ = 0;  // records_ that are not releases
  std::size_t queued_bytes_ = 0;
  std::unordered_map<std::string, std::uint32_t> option_sets_;
  std::uint32_t next_options_id_ = 1;
  std::thread* flusher_ = nullptr;
  bool flusher_done_ = false;
  std::size_t inline_sends_ = 0;
  std::condition_variable flusher_ended_;
  bool stopping_ = false;
  std::unordered_map<std::uint64_t, LostSubmission> lost_;

  std::recursive_mutex send_mu_;
  // The DefineOptions records of the batches being sent, outermost first (send_mu_).
  // A batch sent re-entrantly, while the driver handles an outer one, is handled
  // before the rest of it: it repeats these first, as the driver may not have read
  // them yet (an id defined again with the same text changes nothing).
  std::vector<std::string> defines_in_flight_;
  // Records queued and not yet sent (or being sent): Flush's fast path.
  std::atomic<std::size_t> unsent_{0};
  std::atomic<bool> any_lost_{false};
  std::atomic<std::uint64_t> next_result_{0};
};

std::uint64_t SubmissionQueue::Enqueue(Record record, std::string_view option_members,
                                       std::size_t options_id_at) {
  const std::uint64_t id =
      kRuntimeIdBit | (next_result_.fetch_add(1, std::memory_order_relaxed) + 1);
  record.result_id = id;
  PatchLe(record.head, 1, id, 8);
  bool over = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return id;  // exiting: nothing reaches the driver any more
    std::uint32_t options_id = 0;
    if (!option_members.empty()) {
      // The set as a JSON object: the members without their leading comma.
      std::string json = "{";
      json.append(option_members.substr(1));
      json += '}';
      auto [at, inserted] = option_sets_.try_emplace(std::move(json), next_options_id_);
      if (inserted) {
        ++next_options_id_;
        Record define;
        define.head.push_back(static_cast<char>(kRecordDefineOptions));
        AppendU32(define.head, at->second);
        AppendString(define.head, at->first);
        Push(std::move(define));
      }
      options_id = at->second;
    }
    PatchLe(record.head, options_id_at, options_id, 4);
    Push(std::move(record));
    ++submissions_queued_;
    over = records_.size() > kMaxQueuedRecords || queued_bytes_ > kMaxQueuedBytes;
    if (over) {
      ++inline_sends_;
    } else {
      wake_.notify_one();
    }
  }
  if (over) Flush();  // backpressure: this caller sends
  return id;
}

void SubmissionQueue::Push(Record&& record) {
  queued_bytes_ += record.size();
  records_.push_back(std::move(record));
  unsent_.fetch_add(1, std::memory_order_acq_rel);
  if (flusher_ == nullptr) flusher_ = new std::thread([this] { FlusherLoop(); });
}

void SubmissionQueue::EnqueueRelease(RecordKind kind, std::uint64_t id) {
  Record record;
  record.head.push_back(static_cast<char>(kind));
  AppendU64(record.head, id);
  std::lock_guard lock(mu_);
  if (stopping_) return;
  if (kind == kRecordReleaseObject && any_lost_.load(std::memory_order_relaxed) &&
      lost_.erase(id) != 0) {
    return;  // the driver never had it
  }
  // No backpressure here: a release runs in destructors, also on threads that hold
  // Python's GIL (a reply freed by Python), which must never wait for a batch.
  Push(std::move(record));
  if (records_.size() == 1 || records_.size() >= kReleaseBatch) wake_.notify_one();
}

void SubmissionQueue::Flush() {
  if (unsent_.load(std::memory_order_acquire) == 0) return;
  SendQueued();
}

void SubmissionQueue::SendQueued() {
  std::lock_guard send(send_mu_);
  std::vector<Record> batch;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    batch.swap(records_);
    queued_bytes_ = 0;
    submissions_queued_ = 0;
  }
  if (batch.empty()) return;
  std::size_t total = 0;
  for (const std::string& define : defines_in_flight_) total += define.size();
  for (const Record& record : batch) total += record.size();
  std::string payload;
  payload.reserve(total);
  for (const std::string& define : defines_in_flight_) payload += define;
  const std::size_t outer_defines = defines_in_flight_.size();
  for (const Record& record : batch) {
    payload += record.head;
    payload.append(record.args.data() + record.args_offset, record.args.size() - record.args_offset);
    if (static_cast<unsigned char>(record.head[0]) == kRecordDefineOptions) {
      defines_in_flight_.push_back(record.head);  // a definition is its head alone
    }
  }
  struct DefinesHandled {  // this batch's definitions, once the driver has it all
    std::vector<std::string>& defines;
    std::size_t outer;
    ~DefinesHandled() { defines.resize(outer); }
  } defines_handled{defines_in_flight_, outer_defines};
  LostSubmission failure;
  try {
    DriverReply reply = SendToDriver(kSubmitBatch, payload);
    if (reply.code != kSuccess) {
      failure.code = reply.code;
      failure.text = std::string(reply.data.view());
    } else {
      failure.code = kSuccess;
    }
  } catch (const std::exception& error) {  // nothing else: a thread cancellation passes
    failure.text = error.what();
  }
  if (failure.code != kSuccess || !failure.text.empty()) {
    std::fprintf(stderr, "goray: sending %zu queued submissions failed: %s\n", batch.size(),
                 failure.text.c_str());
    std::lock_guard lock(mu_);
    option_sets_.clear();  // the driver may not have the definitions: define them again
    for (const Record& record : batch) {
      if (record.result_id == 0) continue;
      LostSubmission lost = failure;
      if (lost.code == kSuccess) lost.code = kFailed;
      lost.callee = record.callee;
      lost_[record.result_id] = std::move(lost);
    }
    any_lost_.store(true, std::memory_order_relaxed);
  }
  const std::size_t sent = batch.size();
  batch.clear();  // drops pins: may queue releases (mu_ only)
  unsent_.fetch_sub(sent, std::memory_order_acq_rel);
}

void SubmissionQueue::FlusherLoop() {
#if defined(__linux__)
  // Named for per-thread profiles (/proc/<pid>/task/*/comm, top -H, perf): it runs the
  // driver's handling of every batch, which would otherwise show as the process's name.
  pthread_setname_np(pthread_self(), "goray-flusher");
#endif
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !records_.empty(); });
      if (!stopping_ && submissions_queued_ == 0 && records_.size() < kReleaseBatch) {
        wake_.wait_for(lock, kReleaseDelay, [this] {
          return stopping_ || submissions_queued_ > 0 || records_.size() >= kReleaseBatch;
        });
      }
      if (stopping_) {
        flusher_done_ = true;
        flusher_ended_.notify_all();
        return;
      }
    }
    SendQueued();
  }
}

void SubmissionQueue::ShutDown() {
  std::thread* flusher = nullptr;
  bool done = false;
  {
    std::unique_lock lock(mu_);
    stopping_ = true;
    flusher = std::exchange(flusher_, nullptr);
    wake_.notify_all();
    if (flusher == nullptr) return;
    // An idle flusher ends at once, a busy one when its batch is sent. One still
    // inside the driver after that (Python exiting under it) is left parked:
    // joining it could wait forever.
    done = flusher_ended_.wait_for(lock, std::chrono::seconds(2), [this] { return flusher_done_; });
  }
  if (done) {
    flusher->join();
  } else {
    flusher->detach();
  }
  delete flusher;  // no longer joinable either way
}

std::optional<LostSubmission> SubmissionQueue::FindLost(std::uint64_t id) {
  if (!any_lost_.load(std::memory_order_relaxed)) return std::nullopt;
  std::lock_guard lock(mu_);
  auto at = lost_.find(id);
  if (at == lost_.end()) return std::nullopt;
  return at->second;
}

std::atomic<bool> g_shut_down{false};

// Stops the flusher when the library is unloaded or the process exits.
struct ShutDownAtExit {
  ~ShutDownAtExit() { ShutDownSubmissions(); }
} g_shut_down_at_exit;

}  // namespace

std::uint64_t EnqueueCall(QueuedCall&& call) {
  Record record;
  std::string& head = record.head;
  head.reserve(64 + call.name.size() + (call.refs ? call.refs->size() * 12 : 0));
  head.push_back(static_cast<char>(call.kind));
  AppendU64(head, 0);  // result id, set when queued
  if (call.kind == kRecordActorCall) AppendU64(head, call.actor_id);
  const std::size_t options_id_at = head.size();
  AppendU32(head, 0);
  AppendString(head, call.name);
  const std::size_t nrefs = call.refs ? call.refs->size() : 0;
  AppendU32(head, static_cast<std::uint32_t>(nrefs));
  for (std::size_t i = 0; i < nrefs; ++i) {
    AppendU32(head, static_cast<std::uint32_t>((*call.refs)[i].first));
    AppendU64(head, (*call.refs)[i].second);
  }
  const std::size_t block = call.args ? call.args->size() - call.args_offset : 0;
  AppendU64(head, block);
  if (call.args != nullptr) {
    record.args = std::move(*call.args);
    record.args_offset = call.args_offset;
  }
  if (call.pins != nullptr) record.pins = std::move(*call.pins);
  record.callee = std::string(call.callee);
  return SubmissionQueue::Instance().Enqueue(std::move(record), call.option_members, options_id_at);
}

void EnqueueRelease(RecordKind kind, std::uint64_t id) {
  try {
    SubmissionQueue::Instance().EnqueueRelease(kind, id);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "goray: queueing the release of %llu failed: %s\n",
                 static_cast<unsigned long long>(id), error.what());
  }
}

void FlushSubmissions() {
  try {
    SubmissionQueue::Instance().Flush();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "goray: sending queued submissions failed: %s\n", error.what());
  }
}

bool SubmissionsQueued() { return SubmissionQueue::Instance().SubmissionsQueued(); }

void ForgetOptionSets() { SubmissionQueue::Instance().ForgetOptionSets(); }

std::optional<LostSubmission> FindLostSubmission(std::uint64_t id) {
  return SubmissionQueue::Instance().FindLost(id);
}

SubmissionStats GetSubmissionStats() { return SubmissionQueue::Instance().Stats(); }

bool SubmissionsShutDown() noexcept { return g_shut_down.load(std::memory_order_acquire); }

void ShutDownSubmissions() noexcept {
  g_shut_down.store(true, std::memory_order_release);
  try {
    SubmissionQueue::Instance().ShutDown();
  } catch (...) {
  }
}

}  // namespace goray::detail
