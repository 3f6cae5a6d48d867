// Pipelined submissions and batches (feature 1) against a fake driver: the
// SubmitBatch records byte for byte, option sets defined once, ordering against
// other commands and releases, failures surfacing at Get, threads, backpressure,
// GetObjects / AsCompleted, and the version-2 behaviour with the feature off.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "fake_driver.h"
#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

// A task that submits and drops a ref: its submission must be sent before Execute returns.
void SubmitSquare(double x) { goray::RemoteCall("Square", x); }

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("SubmitSquare", &SubmitSquare);
}

namespace {

using Bytes = std::string;

uint64_t Le(const Bytes& bytes, size_t at, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}
void PutLe(Bytes& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}
Bytes U64(uint64_t value) {
  Bytes out;
  PutLe(out, value, 8);
  return out;
}
Bytes Str(const std::string& text) {
  Bytes out;
  PutLe(out, text.size(), 4);
  return out + text;
}
using fake_driver::Packed;

// One parsed SubmitBatch record.
struct Record {
  int kind = 0;
  uint64_t id = 0;  // result id, options id (define), or released id
  uint64_t actor_id = 0;
  uint32_t options_id = 0;
  std::string text;  // name, or the options JSON
  std::vector<std::pair<uint32_t, uint64_t>> refs;
  Bytes block;
  Bytes raw;
};

std::vector<Record> ParseRecords(const Bytes& payload) {
  std::vector<Record> records;
  size_t at = 0;
  auto str = [&] {
    uint64_t length = Le(payload, at, 4);
    std::string text = payload.substr(at + 4, length);
    at += 4 + length;
    return text;
  };
  while (at < payload.size()) {
    const size_t start = at;
    Record record;
    record.kind = static_cast<unsigned char>(payload[at++]);
    if (record.kind == 1) {
      record.id = Le(payload, at, 4);
      at += 4;
      record.text = str();
    } else if (record.kind >= 2 && record.kind <= 4) {
      record.id = Le(payload, at, 8);
      at += 8;
      if (record.kind == 4) {
        record.actor_id = Le(payload, at, 8);
        at += 8;
      }
      record.options_id = static_cast<uint32_t>(Le(payload, at, 4));
      at += 4;
      record.text = str();
      uint64_t nrefs = Le(payload, at, 4);
      at += 4;
      for (uint64_t i = 0; i < nrefs; ++i, at += 12) {
        record.refs.emplace_back(static_cast<uint32_t>(Le(payload, at, 4)), Le(payload, at + 4, 8));
      }
      uint64_t length = Le(payload, at, 8);
      record.block = payload.substr(at + 8, length);
      at += 8 + length;
    } else if (record.kind == 5 || record.kind == 6) {
      record.id = Le(payload, at, 8);
      at += 8;
    } else {
      ADD_FAILURE() << "unknown record kind " << record.kind;
      break;
    }
    record.raw = payload.substr(start, at - start);
    records.push_back(record);
  }
  return records;
}

// What the fake driver saw, in order: records (command 33, one event each) and
// every other command.
struct Event {
  long long command;
  Record record;
  Bytes payload;
  std::thread::id thread;
};

struct Entry {
  long long code;
  Bytes payload;
};

// Never destroyed, like a real driver's state: the flusher may still be calling the
// fake while the process exits (PipelineExit).
std::mutex& g_mu = *new std::mutex;
std::vector<Event>& g_events = *new std::vector<Event>;
auto& g_batches = *new std::vector<std::pair<size_t, std::thread::id>>;  // records per batch, sender
std::map<uint64_t, Entry>& g_store = *new std::map<uint64_t, Entry>;
std::map<uint32_t, std::string>& g_options = *new std::map<uint32_t, std::string>;
uint64_t g_next_put = 1;
long long g_batch_code = 0;  // what SubmitBatch answers
// While set, the first SubmitBatch waits until the test opens the gate.
bool g_hold_first_batch = false;
bool g_gate_open = false;
std::condition_variable& g_gate = *new std::condition_variable;
// Called (without g_mu) when the next SubmitBatch arrives, before its records are handled:
// a driver calling back into the library mid-batch, as Python's may with an Execute.
std::function<void()>& g_before_next_batch = *new std::function<void()>;

Entry Evaluate(const Record& record) {
  if (record.options_id != 0 && g_options[record.options_id].find("bad") != std::string::npos) {
    return {1, R"j({"Message": "ValueError: bad option", "Traceback": "Traceback (most recent call last):\n  x",
                   "Error": {"type": "ValueError", "message": "bad option", "task": ""}})j"};
  }
  if (record.text == "Square") {
    msgpack::object_handle handle = msgpack::unpack(record.block.data(), record.block.size());
    double x = handle.get().as<double>();
    return {0, Packed(x * x)};
  }
  if (record.text == "Fail") return {5, R"j({"Message": "std::runtime_error: boom (task Fail)", "Traceback": ""})j"};
  return {1, R"j({"Message": "goray.UnknownNameError: unknown task", "Traceback": "",
              "Error": {"type": "goray.UnknownNameError", "message": "unknown task", "task": ""}})j"};
}

using fake_driver::Reply;

void* FakeDriver(long long command, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  const Bytes payload(static_cast<char*>(in_data), in_data ? static_cast<size_t>(in_len) : 0);
  std::unique_lock lock(g_mu);
  const auto thread = std::this_thread::get_id();
  if (command == 33) {
    if (std::exchange(g_hold_first_batch, false)) g_gate.wait(lock, [] { return g_gate_open; });
    if (std::function<void()> hook = std::exchange(g_before_next_batch, nullptr)) {
      lock.unlock();
      hook();
      lock.lock();
    }
    std::vector<Record> records = ParseRecords(payload);
    g_batches.emplace_back(records.size(), thread);
    if (g_batch_code != 0) {
      return Reply(g_batch_code, R"j({"Message": "RuntimeError: the batch went nowhere", "Traceback": "",
          "Error": {"type": "RuntimeError", "message": "the batch went nowhere", "task": ""}})j",
                   out_len, ret_code);
    }
    for (const Record& record : records) {
      g_events.push_back({33, record, {}, thread});
      if (record.kind == 1) g_options[static_cast<uint32_t>(record.id)] = record.text;
      if (record.kind >= 2 && record.kind <= 4) g_store[record.id] = Evaluate(record);
      if (record.kind == 5) g_store.erase(record.id);
    }
    return Reply(0, "", out_len, ret_code);
  }
  g_events.push_back({command, {}, payload, thread});
  switch (command) {
    case 5: {  // ExeRemoteTask, synchronous (feature off)
      uint64_t id = g_next_put++;
      g_store[id] = {0, Packed(4.0)};
      return Reply(0, U64(id), out_len, ret_code);
    }
    case 7: {  // PutObject
      uint64_t id = g_next_put++;
      g_store[id] = {0, payload};
      return Reply(0, U64(id), out_len, ret_code);
    }
    case 6: {  // GetObject [id, timeout, false]
      uint64_t id = nlohmann::json::parse(payload)[0].get<uint64_t>();
      auto at = g_store.find(id);
      if (at == g_store.end()) return Reply(4, "unknown id " + std::to_string(id), out_len, ret_code);
      return Reply(at->second.code, at->second.payload, out_len, ret_code);
    }
    case 34: {  // GetObjects
      uint32_t count = static_cast<uint32_t>(Le(payload, 8, 4));
      Bytes body;
      for (uint32_t i = 0; i < count; ++i) {
        uint64_t id = Le(payload, 12 + 8 * i, 8);
        auto at = g_store.find(id);
        if (at == g_store.end()) return Reply(4, "unknown id " + std::to_string(id), out_len, ret_code);
        PutLe(body, static_cast<uint64_t>(at->second.code), 4);
        PutLe(body, at->second.payload.size(), 8);
        body += at->second.payload;
      }
      return Reply(0, body, out_len, ret_code);
    }
    case 8: {  // WaitObject: everything is ready
      nlohmann::json request = nlohmann::json::parse(payload);
      size_t n = request["object_ref_local_ids"].size();
      size_t ready = request.value("goray_all_ready", false) ? n : request["num_returns"].get<size_t>();
      nlohmann::json answer = {nlohmann::json::array(), nlohmann::json::array()};
      for (size_t i = 0; i < n; ++i) answer[i < ready ? 0 : 1].push_back(i);
      return Reply(0, answer.dump(), out_len, ret_code);
    }
    default:
      return Reply(0, "", out_len, ret_code);
  }
}

struct ExecuteResult {
  long long code;
  Bytes body;
};

ExecuteResult Execute(long long command, Bytes payload) {
  long long out_len = 0;
  long long code = -1;
  void* out = ::Execute(command, payload.data(), static_cast<long long>(payload.size()), &out_len, &code);
  ExecuteResult result{code, out ? Bytes(static_cast<char*>(out), static_cast<size_t>(out_len)) : Bytes()};
  FreeMemory(out);
  return result;
}

uint64_t EnableFeatures(uint64_t mask) {
  ExecuteResult result = Execute(37, U64(mask));
  EXPECT_EQ(result.code, 0) << result.body;
  return result.body.size() == 8 ? Le(result.body, 0, 8) : ~uint64_t{0};
}

// Sends what is queued: any other command flushes first (an empty Wait is local).
void Flush() { Execute(37, U64(goray::detail::Features())); }

std::vector<Event> Events() {
  std::lock_guard lock(g_mu);
  return g_events;
}

std::vector<Record> Records(int kind) {
  std::vector<Record> records;
  for (const Event& event : Events()) {
    if (event.command == 33 && event.record.kind == kind) records.push_back(event.record);
  }
  return records;
}

// Position of the first event matching `match`, or -1.
template <class F>
long Position(const std::vector<Event>& events, F match) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (match(events[i])) return static_cast<long>(i);
  }
  return -1;
}

class PipelineTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    EXPECT_EQ(EnableFeatures(1), 1u);
    Flush();
    std::lock_guard lock(g_mu);
    g_events.clear();
    g_batches.clear();
    g_batch_code = 0;
  }
  void TearDown() override { Flush(); }
};

TEST_F(PipelineTest, HandshakeAnswersTheBitsTurnedOn) {
  EXPECT_EQ(GorayProtocolVersion(), GORAY_PROTOCOL_VERSION);
  // Every bit of the protocol's table only where the runtime has it; unknown bits (128) never.
  using namespace goray::detail;
  const uint64_t on = EnableFeatures(kFeaturePipelined | kFeatureRefsInValues |
                                     kFeatureArraysOutOfBand | kFeatureGetAhead |
                                     kFeatureValueExts | kFeatureColumnMajor | kFeatureColumns | 128);
  EXPECT_EQ(on, kSupportedFeatures);
  EXPECT_EQ(on, kFeaturePipelined | kFeatureRefsInValues | kFeatureArraysOutOfBand |
                    kFeatureGetAhead | kFeatureValueExts | kFeatureColumnMajor | kFeatureColumns);
  EXPECT_EQ(goray::detail::Features(), on);
  ExecuteResult bad = Execute(37, "abc");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.body, "goray: EnableFeatures expects an 8-byte feature mask, received 3 bytes");
}

TEST_F(PipelineTest, RecordsByteForByte) {
  goray::ObjectRef input = goray::Put(2.5);  // synchronous: command 7
  goray::ObjectRef task = goray::RemoteCall("Square", 1.5, input, goray::Option("num_cpus", 1));
  goray::ObjectRef py = goray::RemoteCallPyTask("mod.f", std::string("x"));
  EXPECT_NE(task.id() & goray::detail::kRuntimeIdBit, 0u);
  EXPECT_EQ(py.id(), task.id() + 1);  // one counter
  Flush();
  std::vector<Record> defines = Records(1);
  ASSERT_EQ(defines.size(), 1u);
  EXPECT_EQ(defines[0].text, R"({"num_cpus":1})");
  EXPECT_EQ(defines[0].raw, Bytes("\x01", 1) + Bytes(U64(defines[0].id)).substr(0, 4) + Str(R"({"num_cpus":1})"));
  std::vector<Record> tasks = Records(2);
  ASSERT_EQ(tasks.size(), 1u);
  Bytes block = Packed(1.5);
  Bytes expected = Bytes("\x02", 1) + U64(task.id()) + U64(defines[0].id).substr(0, 4) + Str("Square") +
                   Bytes("\x01\0\0\0", 4) + Bytes("\x01\0\0\0", 4) + U64(input.id()) + U64(block.size()) + block;
  EXPECT_EQ(tasks[0].raw, expected);
  std::vector<Record> py_tasks = Records(3);
  ASSERT_EQ(py_tasks.size(), 1u);
  block = Packed(std::string("x"));
  EXPECT_EQ(py_tasks[0].raw, Bytes("\x03", 1) + U64(py.id()) + Bytes(4, '\0') + Str("mod.f") + Bytes(4, '\0') +
                                 U64(block.size()) + block);
  // The values arrive at Get.
  EXPECT_EQ(task.Get<double>(), 2.25);
}

TEST_F(PipelineTest, ActorCallAndReleaseRecords) {
  uint64_t actor_id = 0;
  {
    goray::ActorHandle actor(77, "Counter", true);
    goray::ObjectRef result = actor.RemoteCall("Incr", int64_t{5});
    actor_id = actor.id();
    Flush();
    std::vector<Record> calls = Records(4);
    ASSERT_EQ(calls.size(), 1u);
    Bytes block = Packed(int64_t{5});
    EXPECT_EQ(calls[0].raw, Bytes("\x04", 1) + U64(result.id()) + U64(77) + Bytes(4, '\0') + Str("Incr") +
                                Bytes(4, '\0') + U64(block.size()) + block);
  }
  Flush();
  std::vector<Record> released = Records(6);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].raw, Bytes("\x06", 1) + U64(actor_id));
  EXPECT_EQ(Records(5).size(), 1u);  // the call's result ref
}

TEST_F(PipelineTest, EachOptionSetIsDefinedOnce) {
  std::vector<goray::ObjectRef> refs;
  for (int i = 0; i < 3; ++i) {
    refs.push_back(goray::RemoteCall("Square", 1.0, goray::Option("num_cpus", 2), goray::Option("memory", 1)));
    refs.push_back(goray::RemoteCall("Square", 1.0, goray::Option("num_cpus", 3)));
    refs.push_back(goray::RemoteCall("Square", 1.0));
  }
  Flush();
  std::vector<Record> defines = Records(1);
  ASSERT_EQ(defines.size(), 2u);
  EXPECT_EQ(defines[0].text, R"({"num_cpus":2,"memory":1})");
  EXPECT_EQ(defines[1].text, R"({"num_cpus":3})");
  EXPECT_NE(defines[0].id, defines[1].id);
  std::vector<Record> tasks = Records(2);
  ASSERT_EQ(tasks.size(), 9u);
  for (size_t i = 0; i < tasks.size(); ++i) {
    const uint64_t expected = i % 3 == 0 ? defines[0].id : i % 3 == 1 ? defines[1].id : 0;
    EXPECT_EQ(tasks[i].options_id, expected) << i;
  }
  // Each definition comes before its first use.
  std::vector<Event> events = Events();
  for (const Record& define : defines) {
    long defined = Position(events, [&](const Event& e) { return e.command == 33 && e.record.kind == 1 && e.record.id == define.id; });
    long used = Position(events, [&](const Event& e) { return e.command == 33 && e.record.kind == 2 && e.record.options_id == define.id; });
    EXPECT_LT(defined, used);
  }
}

// The driver, handling batch 1 (a definition and a task), calls back into the library
// before that batch's records, and the callback sends batch 2 (re-entrantly, on the
// same thread) with a task using the same options: batch 2 is handled first, so it must
// carry the definition itself.
TEST_F(PipelineTest, ABatchSentWhileAnotherIsHandledRepeatsTheDefinitionsInFlight) {
  {
    std::lock_guard lock(g_mu);
    g_before_next_batch = [] {
      goray::RemoteCall("Square", 2.0, goray::Option("num_cpus", 7));
      Flush();
    };
  }
  goray::ObjectRef first = goray::RemoteCall("Square", 1.0, goray::Option("num_cpus", 7));
  Flush();
  std::vector<Event> events = Events();
  int tasks = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const Record& task = events[i].record;
    if (events[i].command != 33 || task.kind != 2 || task.options_id == 0) continue;
    ++tasks;
    long defined = Position(events, [&](const Event& e) {
      return e.command == 33 && e.record.kind == 1 && e.record.id == task.options_id;
    });
    EXPECT_GE(defined, 0) << "options " << task.options_id << " never defined";
    EXPECT_LT(defined, static_cast<long>(i)) << "options " << task.options_id << " used before defined";
  }
  EXPECT_EQ(tasks, 2);
  EXPECT_EQ(goray::Get<double>(first), 1.0);
}

TEST_F(PipelineTest, ReleasesFollowTheSubmissionsThatUseTheRef) {
  uint64_t input_id = 0;
  uint64_t result_id = 0;
  {
    goray::ObjectRef input = goray::Put(3.0);
    input_id = input.id();
    result_id = goray::RemoteCall("Square", 2.0, input).id();  // result dropped at once
  }  // input dropped: the queued call still holds it
  Flush();  // the call goes out; sending it drops the last hold on the input
  Flush();
  std::vector<Event> events = Events();
  long submitted = Position(events, [&](const Event& e) { return e.command == 33 && e.record.kind == 2; });
  long released_input = Position(events, [&](const Event& e) { return e.command == 33 && e.record.kind == 5 && e.record.id == input_id; });
  long released_result = Position(events, [&](const Event& e) { return e.command == 33 && e.record.kind == 5 && e.record.id == result_id; });
  ASSERT_GE(submitted, 0);
  EXPECT_GT(released_input, submitted);
  EXPECT_GT(released_result, submitted);
  // No synchronous ReleaseObject (10): releases are records now.
  EXPECT_EQ(Position(events, [](const Event& e) { return e.command == 10; }), -1);
}

TEST_F(PipelineTest, ALoneReleaseReachesTheDriverWithoutAnotherCommand) {
  uint64_t id = 0;
  {
    goray::ObjectRef ref = goray::RemoteCall("Square", 2.0);
    id = ref.id();
    Flush();  // the call goes out; the release that follows waits for company
  }
  auto released = [&] {
    std::vector<Event> events = Events();
    return Position(events, [&](const Event& e) { return e.command == 33 && e.record.kind == 5 && e.record.id == id; }) >= 0;
  };
  // The flusher sends it on its own after a short delay (bounded here generously).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!released() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(released());
}

TEST_F(PipelineTest, OtherCommandsFromAnyThreadFlushFirst) {
  goray::ObjectRef queued = goray::RemoteCall("Square", 4.0);
  std::thread([] { goray::Put(1); }).join();  // another thread's Put
  std::vector<Event> events = Events();
  long submitted = Position(events, [&](const Event& e) { return e.command == 33 && e.record.id == queued.id(); });
  long put = Position(events, [](const Event& e) { return e.command == 7; });
  ASSERT_GE(submitted, 0);
  EXPECT_LT(submitted, put);
}

TEST_F(PipelineTest, ExecuteSendsItsSubmissionsBeforeReturning) {
  Bytes payload;
  PutLe(payload, 12, 8);
  payload += "SubmitSquare";
  Bytes args = Packed(3.0);
  PutLe(payload, args.size(), 8);
  payload += args;
  ExecuteResult result = Execute(4, payload);
  ASSERT_EQ(result.code, 0) << result.body;
  std::vector<Record> tasks = Records(2);  // no Flush here: Execute did it
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].text, "Square");
}

TEST_F(PipelineTest, FailuresSurfaceAtGet) {
  goray::ObjectRef bad = goray::RemoteCall("Square", 1.0, goray::Option("bad", true));
  goray::ObjectRef unknown = goray::RemoteCall("Nope");
  try {
    bad.Get<double>();
    ADD_FAILURE() << "no exception";
  } catch (const goray::PythonError& error) {
    EXPECT_EQ(error.type(), "ValueError");
    EXPECT_EQ(error.message(), "bad option");
  }
  EXPECT_THROW(unknown.Get<double>(), goray::PythonError);
  EXPECT_THROW(goray::RemoteCall("Fail").Get<double>(), goray::TaskError);
}

TEST_F(PipelineTest, ABatchTheDriverRefusesFailsAtGetNotSilently) {
  {
    std::lock_guard lock(g_mu);
    g_batch_code = 1;
  }
  goray::ObjectRef lost = goray::RemoteCall("Square", 1.0);
  try {
    lost.Get<double>();  // sent by the flusher or by this Get: either way refused
    ADD_FAILURE() << "no exception";
  } catch (const goray::PythonError& error) {
    EXPECT_EQ(error.type(), "RuntimeError");
    EXPECT_EQ(error.message(), "the batch went nowhere");
    EXPECT_EQ(error.task(), "Square");
  }
  {
    std::lock_guard lock(g_mu);
    g_batch_code = 0;
  }
  EXPECT_THROW(goray::Get<double>(std::vector<goray::ObjectRef>{lost}), goray::PythonError);
  auto [ready, pending] = goray::Wait({lost}, 1);
  EXPECT_EQ(ready.size(), 1u);  // a failure is ready
  EXPECT_EQ(goray::RemoteCall("Square", 3.0).Get<double>(), 9.0);  // later ones go on
}

TEST_F(PipelineTest, ThreadsSubmittingConcurrently) {
  constexpr int kThreads = 8;
  constexpr int kCalls = 400;
  std::vector<std::thread> threads;
  std::mutex ids_mu;
  std::set<uint64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        goray::ObjectRef ref = goray::RemoteCall("Square", static_cast<double>(t), goray::Option("num_cpus", t % 3));
        if (i % 50 == 0) {
          EXPECT_EQ(ref.Get<double>(), t * t);
        }
        std::lock_guard lock(ids_mu);
        ids.insert(ref.id());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  Flush();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kCalls));
  // Every result submitted once and released once, after its submission.
  std::map<uint64_t, long> submitted;
  std::map<uint64_t, long> released;
  std::vector<Event> events = Events();
  for (size_t i = 0; i < events.size(); ++i) {
    const Record& record = events[i].record;
    if (events[i].command != 33) continue;
    if (record.kind == 2) {
      EXPECT_TRUE(submitted.emplace(record.id, i).second);
    } else if (record.kind == 5) {
      EXPECT_TRUE(released.emplace(record.id, i).second);
    }
  }
  EXPECT_EQ(submitted.size(), ids.size());
  EXPECT_EQ(released.size(), ids.size());
  for (const auto& [id, at] : released) EXPECT_GT(at, submitted[id]);
  EXPECT_LE(Records(1).size(), 3u);  // three option sets, some maybe defined in earlier tests
}

TEST_F(PipelineTest, BackpressureSendsInlinePastTheLimit) {
  {
    std::lock_guard lock(g_mu);
    g_hold_first_batch = true;  // the flusher gets stuck in the driver
    g_gate_open = false;
  }
  std::atomic<bool> done{false};
  const size_t inline_before = goray::detail::GetSubmissionStats().inline_sends;
  std::thread caller([&] {
    for (int i = 0; i < 12000; ++i) goray::RemoteCall("Square", 1.0);  // two records each
    done = true;
  });
  // The gate opens once the caller sends inline (or, without backpressure, finished).
  while (!done && goray::detail::GetSubmissionStats().inline_sends == inline_before) std::this_thread::yield();
  const bool blocked = !done;
  {
    std::lock_guard lock(g_mu);
    g_gate_open = true;
  }
  g_gate.notify_all();
  caller.join();
  Flush();
  EXPECT_TRUE(blocked);
  std::lock_guard lock(g_mu);
  size_t largest = 0;
  for (const auto& batch : g_batches) largest = std::max(largest, batch.first);
  EXPECT_LE(largest, 4097u + 1);  // the queue never grew past the limit
}

TEST_F(PipelineTest, GetOfAVectorIsOneRoundTrip) {
  goray::ObjectRef put = goray::Put(int64_t{7});
  std::vector<goray::Future<double>> futures;
  for (int i = 0; i < 5; ++i) futures.emplace_back(goray::RemoteCall("Square", static_cast<double>(i)));
  std::vector<double> squares = goray::Get(futures);
  EXPECT_EQ(squares, (std::vector<double>{0, 1, 4, 9, 16}));
  std::vector<goray::ObjectRef> refs(futures.begin(), futures.end());
  EXPECT_EQ(goray::Get<double>(refs, std::chrono::seconds(5)), squares);
  std::vector<Event> events = Events();
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const Event& e) { return e.command == 34; }), 2);
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const Event& e) { return e.command == 6; }), 0);
  // Several types: tuples. The first failure in order is thrown, as single Get throws it.
  auto pairs = goray::Get<int64_t>(std::vector<goray::ObjectRef>{put, put});
  EXPECT_EQ(pairs, (std::vector<int64_t>{7, 7}));
  std::vector<goray::ObjectRef> mixed = {refs[1], goray::RemoteCall("Fail"), goray::RemoteCall("Square", 1.0, goray::Option("bad", 1))};
  EXPECT_THROW(goray::Get<double>(mixed), goray::TaskError);
  EXPECT_THROW(goray::Get<std::string>(refs), goray::ResultTypeError);
}

TEST_F(PipelineTest, AsCompletedYieldsEveryRefOnce) {
  std::vector<goray::ObjectRef> refs;
  for (int i = 0; i < 6; ++i) refs.push_back(goray::RemoteCall(i == 3 ? "Fail" : "Square", static_cast<double>(i)));
  std::set<size_t> seen;
  for (const goray::Completed& done : goray::AsCompleted(refs)) {
    EXPECT_TRUE(seen.insert(done.index).second);
    EXPECT_EQ(done.ref.id(), refs[done.index].id());
    if (done.index == 3) {
      EXPECT_THROW(done.Get<double>(), goray::TaskError);
    } else {
      EXPECT_EQ(done.Get<double>(), static_cast<double>(done.index * done.index));
    }
  }
  EXPECT_EQ(seen.size(), refs.size());
  std::vector<Event> events = Events();
  // All ready at once in the fake: one Wait with goray_all_ready and one GetObjects.
  long wait = Position(events, [](const Event& e) { return e.command == 8; });
  ASSERT_GE(wait, 0);
  EXPECT_TRUE(nlohmann::json::parse(events[static_cast<size_t>(wait)].payload).value("goray_all_ready", false));
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const Event& e) { return e.command == 34; }), 1);
}

TEST_F(PipelineTest, FeatureOffIsVersionTwo) {
  EXPECT_EQ(EnableFeatures(0), 0u);
  {
    goray::ObjectRef ref = goray::RemoteCall("Square", 2.0, goray::Option("num_cpus", 1));
    EXPECT_LT(ref.id(), goray::detail::kRuntimeIdBit);  // the driver's id
    std::vector<double> values = goray::Get<double>(std::vector<goray::ObjectRef>{ref, ref});
    EXPECT_EQ(values, (std::vector<double>{4.0, 4.0}));
    size_t seen = 0;
    for (const goray::Completed& done : goray::AsCompleted({ref})) {
      EXPECT_EQ(done.Get<double>(), 4.0);
      ++seen;
    }
    EXPECT_EQ(seen, 1u);
  }
  std::vector<Event> events = Events();
  std::vector<long long> commands;
  for (const Event& event : events) commands.push_back(event.command);
  // Submit, GetObject per ref, Wait (no all-ready key) + GetObject, release: no 33, no 34.
  EXPECT_EQ(commands, (std::vector<long long>{5, 6, 6, 8, 6, 10}));
  nlohmann::json wait = nlohmann::json::parse(events[3].payload);
  EXPECT_FALSE(wait.contains("goray_all_ready"));
  Bytes submit = events[0].payload;
  EXPECT_NE(submit.find(R"({"num_cpus":1,"go_ray_arg_pos_to_object":{},"goray_task_name":"Square"})"), Bytes::npos);
  EXPECT_EQ(EnableFeatures(1), 1u);
}

TEST(PipelineExit, ExitWithQueuedRecordsNeitherHangsNorCrashes) {
  testing::GTEST_FLAG(death_test_style) = "threadsafe";
  EXPECT_EXIT(
      {
        RegisterCallback(&FakeDriver);
        EnableFeatures(1);
        for (int i = 0; i < 1000; ++i) goray::RemoteCall("Square", 1.0);
        std::exit(0);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace

// Of runtime/src, this file exercises refs/batch.cpp, calls_out/call_driver.cpp,
// calls_out/submission_queue.cpp most directly (docs/testing.md, "Finding a module's tests").
