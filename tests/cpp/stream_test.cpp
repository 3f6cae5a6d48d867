// goray::Stream and the streaming submissions (RemoteStream, RemoteStreamPyTask,
// handle.RemoteStream, the typed StreamTaskCall/StreamMethodCall) against a fake
// driver: the exact Native2Py requests (docs/protocol.md §13) and how replies
// become items, the end, and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <deque>
#include <functional>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ranges>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "abi_call.h"
#include "fake_driver.h"
#include "goray/abi.h"
#include "goray/detail/typed_call.h"
#include "goray/goray.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace {

using Bytes = std::string;

// Stream<Item> is a move-only input range of Items.
static_assert(std::input_iterator<goray::Stream<goray::ObjectRef>::Iterator>);
static_assert(std::ranges::input_range<goray::Stream<goray::Future<int64_t>>>);
static_assert(!std::is_copy_constructible_v<goray::Stream<goray::ObjectRef>>);
static_assert(std::is_nothrow_move_constructible_v<goray::Stream<goray::ObjectRef>>);
static_assert(std::is_constructible_v<goray::Stream<goray::Future<int64_t>>, goray::Stream<goray::ObjectRef>&&>);
static_assert(!std::is_convertible_v<goray::Stream<goray::ObjectRef>&&, goray::Stream<goray::Future<int64_t>>>);
static_assert(std::is_same_v<decltype(goray::RemoteStream("CountUp", 1)), goray::Stream<goray::ObjectRef>>);

// Never destroyed: the flusher thread (pipelining on) may call the fake at exit.
fake_driver::RequestLog& g_log = *new fake_driver::RequestLog;
std::mutex& g_mu = g_log.mutex();  // the fake's own state below shares it
// What NextStreamRef (36) answers, in order; empty: the end (code 0, no bytes).
std::deque<std::tuple<long long, Bytes>>& g_next = *new std::deque<std::tuple<long long, Bytes>>;
// What a submission answers: code and body (the stream id).
std::tuple<long long, Bytes> g_submit{0, Bytes()};

using abi_call::ArgsBlock;
using abi_call::U64;
using fake_driver::Reply;
using fake_driver::Units;

Bytes F64(double value) { return U64(std::bit_cast<uint64_t>(value)); }

void* FakeDriver(long long command, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  const Bytes payload(static_cast<char*>(in_data), in_data ? static_cast<size_t>(in_len) : 0);
  std::lock_guard lock(g_mu);
  g_log.AddLocked(command, payload);
  switch (command) {
    case 5:
    case 13:
    case 16:
      return Reply(std::get<0>(g_submit), std::get<1>(g_submit), out_len, ret_code);
    case 36: {
      if (g_next.empty()) return Reply(0, "", out_len, ret_code);
      auto [code, body] = g_next.front();
      g_next.pop_front();
      return Reply(code, body, out_len, ret_code);
    }
    case 6: {  // GetObject [id, timeout, false]: item N holds N * 10
      const uint64_t id = nlohmann::json::parse(payload)[0].get<uint64_t>();
      return Reply(0, ArgsBlock(static_cast<int64_t>(id * 10)), out_len, ret_code);
    }
    default:
      return Reply(0, "", out_len, ret_code);
  }
}

using fake_driver::Request;
// Requests of `command` (-1: all) in order, and every request's command.
std::vector<Request> Requests(long long command) { return g_log.Of(command); }
std::vector<long long> Commands() { return g_log.Commands(); }

// Item ids 11, 12, 13, then the end.
void ThreeItems() {
  std::lock_guard lock(g_mu);
  g_next = {{0, U64(11)}, {0, U64(12)}, {0, U64(13)}};
}

uint64_t EnableFeatures(uint64_t mask) {
  abi_call::Result result = abi_call::Call(37, U64(mask));
  EXPECT_EQ(result.code, 0);
  return result.body.size() == 8 ? abi_call::ReadU64(result.body) : 0;
}

class StreamTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    EnableFeatures(0);  // a fresh driver session: what an earlier test's driver refused is forgotten
    std::lock_guard lock(g_mu);
    g_log.ClearLocked();
    g_next.clear();
    g_submit = {0, U64(7)};
  }
};

TEST_F(StreamTest, RemoteStreamSubmitsWithStreamingOption) {
  {
    goray::Stream<> stream =
        goray::RemoteStream("CountUp", int64_t{3}, goray::Option("num_cpus", 1));
    EXPECT_EQ(stream.id(), 7u);
  }
  std::vector<Request> submits = Requests(5);
  ASSERT_EQ(submits.size(), 1u);
  auto [args, json] = Units(submits[0].payload);
  EXPECT_EQ(args, ArgsBlock(int64_t{3}));
  EXPECT_EQ(json, nlohmann::json::parse(R"({"num_cpus": 1, "num_returns": "streaming",
      "go_ray_arg_pos_to_object": {}, "goray_task_name": "CountUp"})"));
}

TEST_F(StreamTest, RemoteStreamPyTaskAndActorMethod) {
  goray::Stream<> py = goray::RemoteStreamPyTask("py_count", int64_t{4});
  std::vector<Request> py_submits = Requests(16);
  ASSERT_EQ(py_submits.size(), 1u);
  EXPECT_EQ(Units(py_submits[0].payload).second,
            nlohmann::json::parse(R"({"num_returns": "streaming", "go_ray_arg_pos_to_object": {},
                "task_name": "py_count"})"));

  goray::ActorHandle streamer(21, "Streamer", true);
  goray::ObjectRef count(5);
  goray::Stream<> range = streamer.RemoteStream("Range", count, goray::Option("name", "r"));
  std::vector<Request> method_submits = Requests(13);
  ASSERT_EQ(method_submits.size(), 1u);
  auto [args, json] = Units(method_submits[0].payload);
  EXPECT_EQ(args, "");  // the ref goes by position, not in the args block
  EXPECT_EQ(json, nlohmann::json::parse(R"({"name": "r", "num_returns": "streaming",
      "go_ray_arg_pos_to_object": {"0": {"id": 5, "auto_release": false}},
      "goray_task_name": "Range", "goray_py_local_actor_id": 21})"));
}

TEST_F(StreamTest, NumReturnsOptionIsRefused) {
  try {
    goray::RemoteStream("CountUp", int64_t{3}, goray::Option("num_returns", 2));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "goray: the stream of CountUp sets num_returns (\"streaming\") itself: remove the "
                 "option num_returns (2)");
  }
  goray::ActorHandle streamer(21, "Streamer", true);
  EXPECT_THROW(streamer.RemoteStream("Range", goray::Option("num_returns", "streaming")),
               std::invalid_argument);
  EXPECT_TRUE(Requests(5).empty());
  EXPECT_TRUE(Requests(13).empty());
}

TEST_F(StreamTest, SubmissionFailureIsThrown) {
  g_submit = {1, R"j({"Message": "goray.GorayError: task Square is not a generator", "Traceback": "",
      "Error": {"type": "goray.GorayError", "message": "task Square is not a generator", "task": ""}})j"};
  try {
    goray::RemoteStream("Square", 2.0);
    FAIL() << "expected goray::PythonError";
  } catch (const goray::PythonError& error) {
    EXPECT_EQ(error.type(), "goray.GorayError");
    EXPECT_EQ(error.message(), "task Square is not a generator");
  }
}

TEST_F(StreamTest, SubmissionIsSynchronousWithPipelining) {
  ASSERT_EQ(EnableFeatures(1), 1u);
  goray::ObjectRef queued = goray::RemoteCall("Square", 2.0);  // a SubmitBatch record
  {
    goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{2});
    EXPECT_EQ(stream.id(), 7u);  // the driver's id, not a runtime-assigned one
    // The queue went first (33), then the stream's own command (5), never a record.
    std::vector<long long> commands = Commands();
    ASSERT_EQ(commands.size(), 2u);
    EXPECT_EQ(commands[0], 33);
    EXPECT_EQ(commands[1], 5);
    EXPECT_EQ(Requests(33)[0].payload.find("CountUp"), Bytes::npos);
    EXPECT_EQ(Units(Requests(5)[0].payload).second["num_returns"], "streaming");
  }
  // The stream's release is queued as a ReleaseObject record (kind 5), sent with the
  // next batch rather than as its own command 10.
  EXPECT_TRUE(Requests(10).empty());
  EXPECT_EQ(EnableFeatures(0), 0u);  // sends the queue
  bool released = false;
  for (const Request& batch : Requests(33)) {
    released = released || batch.payload.find(Bytes(1, '\x05') + U64(7)) != Bytes::npos;
  }
  EXPECT_TRUE(released);
}

TEST_F(StreamTest, NextGivesItemsThenTheEnd) {
  ThreeItems();
  goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
  std::vector<uint64_t> ids;
  while (std::optional<goray::ObjectRef> item = stream.Next()) {
    ids.push_back(item->id());
    EXPECT_EQ(item->origin(), "CountUp");  // named in the item's errors
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{11, 12, 13}));
  EXPECT_TRUE(stream.finished());
  const size_t asked = Requests(36).size();
  EXPECT_EQ(asked, 4u);
  EXPECT_FALSE(stream.Next());  // ended: the driver is not asked again
  EXPECT_EQ(Requests(36).size(), asked);
  // Each request: u64 stream id, f64 timeout (< 0: forever), u64 flags (1: the value
  // inline, 2: every item already produced). A driver that replies one item (it does not
  // know flag 2, as here) is read as before.
  EXPECT_EQ(Requests(36)[0].payload, U64(7) + F64(-1.0) + U64(3));
  // Each item was released with its last copy; the generator is still held.
  std::vector<Request> releases = Requests(10);
  ASSERT_EQ(releases.size(), 3u);
  EXPECT_EQ(releases[0].payload, U64(11));
  EXPECT_EQ(releases[2].payload, U64(13));
}

TEST_F(StreamTest, NextWithTimeout) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{2, "timed out"}, {0, U64(11)}};
  }
  goray::Stream<> stream = goray::RemoteStream("SlowCount", int64_t{1}, int64_t{500});
  EXPECT_THROW(stream.Next(std::chrono::milliseconds(1500)), goray::TimeoutError);
  EXPECT_EQ(Requests(36)[0].payload, U64(7) + F64(1.5) + U64(3));
  // The stream is unchanged by a timeout: the next call gets the item.
  std::optional<goray::ObjectRef> item = stream.Next(std::chrono::seconds(2));
  ASSERT_TRUE(item);
  EXPECT_EQ(item->id(), 11u);
  EXPECT_FALSE(stream.finished());
}

TEST_F(StreamTest, UnknownStreamIsObjectRefNotFound) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{4, "unknown object id 7"}};
  }
  goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
  try {
    stream.Next();
    FAIL() << "expected goray::ObjectRefNotFoundError";
  } catch (const goray::ObjectRefNotFoundError& error) {
    EXPECT_EQ(error.task(), "stream 7");
  }
}

TEST_F(StreamTest, DriverWithoutStreamsIsNamed) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{1, "unknown command 36"}};  // GoRay's driver, or goray's before version 5
  }
  goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
  try {
    stream.Next();
    FAIL() << "expected goray::PythonError";
  } catch (const goray::PythonError& error) {
    EXPECT_STREQ(error.what(),
                 "goray::Error: this driver does not know streams (it answered NextStreamRef, "
                 "Native2Py 36, with: unknown command 36); streams need goray's driver of protocol "
                 "version 5 (stream 7)");
  }
}

TEST_F(StreamTest, IdThatIsNoStreamIsTheDriversWord) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{1, "object 7 is not a stream (NextStreamRef iterates streams)"}};
  }
  goray::Stream<> stream(7);
  try {
    stream.Next();
    FAIL() << "expected goray::PythonError";
  } catch (const goray::PythonError& error) {
    EXPECT_EQ(error.message(), "object 7 is not a stream (NextStreamRef iterates streams)");
  }
}

TEST_F(StreamTest, DriverFailureOfNextIsItsOwn) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{1, R"j({"Message": "goray.GorayError: object 7 is not a stream", "Traceback": "",
        "Error": {"type": "goray.GorayError", "message": "object 7 is not a stream", "task": ""}})j"}};
  }
  goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
  try {
    stream.Next();
    FAIL() << "expected goray::PythonError";
  } catch (const goray::PythonError& error) {
    EXPECT_EQ(error.type(), "goray.GorayError");
    EXPECT_EQ(error.message(), "object 7 is not a stream");
  }
}

TEST_F(StreamTest, CancelSendsCancelObject) {
  goray::Stream<> stream = goray::RemoteStream("SlowCount", int64_t{1000}, int64_t{20});
  stream.Cancel();
  stream.Cancel(true);
  std::vector<Request> cancels = Requests(9);
  ASSERT_EQ(cancels.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(cancels[0].payload),
            nlohmann::json::parse(R"({"force": false, "object_ref_local_id": 7})"));
  EXPECT_EQ(nlohmann::json::parse(cancels[1].payload),
            nlohmann::json::parse(R"({"force": true, "object_ref_local_id": 7})"));
}

TEST_F(StreamTest, ReleasedOnceWhenTheLastOwnerGoes) {
  {
    goray::Stream<> first = goray::RemoteStream("CountUp", int64_t{3});
    goray::Stream<> second = std::move(first);
    EXPECT_THROW(first.Next(), goray::Error);  // moved from
    EXPECT_THROW(first.id(), goray::Error);
    goray::Stream<goray::Future<int64_t>> typed(std::move(second));
    EXPECT_EQ(typed.id(), 7u);
    EXPECT_TRUE(Requests(10).empty());
  }
  std::vector<Request> releases = Requests(10);
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].payload, U64(7));

  // Assigning over a stream releases the one it held.
  g_submit = {0, U64(8)};
  goray::Stream<> kept = goray::RemoteStream("CountUp", int64_t{1});
  g_submit = {0, U64(9)};
  kept = goray::RemoteStream("CountUp", int64_t{2});
  releases = Requests(10);
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(releases[1].payload, U64(8));
  EXPECT_EQ(kept.id(), 9u);
}

TEST_F(StreamTest, RangeForOverTypedFutures) {
  ThreeItems();
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{3}));
  int64_t total = 0;
  for (goray::Future<int64_t> item : stream) total += item.Get();
  EXPECT_EQ(total, 110 + 120 + 130);
  EXPECT_TRUE(stream.finished());
  EXPECT_EQ(stream.begin(), stream.end());  // iterating again: nothing left
  EXPECT_EQ(Requests(36).size(), 4u);
}

TEST_F(StreamTest, LoopCanStopAndContinue) {
  ThreeItems();
  goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
  std::vector<uint64_t> ids;
  for (const goray::ObjectRef& item : stream) {
    ids.push_back(item.id());
    break;
  }
  // The rest, by Next() or another loop, continues after the item the loop saw.
  std::optional<goray::ObjectRef> next = stream.Next();
  ASSERT_TRUE(next);
  ids.push_back(next->id());
  for (auto it = stream.begin(); it != stream.end(); ++it) ids.push_back(it->id());
  EXPECT_EQ(ids, (std::vector<uint64_t>{11, 12, 13}));
}

TEST_F(StreamTest, ItemReadByBeginButNotShownComesNext) {
  ThreeItems();
  goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
  EXPECT_NE(stream.begin(), stream.end());  // reads item 11 without showing it
  std::optional<goray::ObjectRef> first = stream.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id(), 11u);
  EXPECT_EQ(stream.Next()->id(), 12u);
}

TEST_F(StreamTest, TypedTaskAndMethodCalls) {
  ThreeItems();
  using goray::detail::StreamMethodCall;
  using goray::detail::StreamTaskCall;
  auto call = StreamTaskCall<goray::Future<int64_t>, int64_t>("CountUp", int64_t{3});
  goray::Stream<goray::Future<int64_t>> stream = call.Remote(goray::Option("num_cpus", 2));
  std::vector<int64_t> values;
  for (goray::Future<int64_t> item : stream) values.push_back(goray::Get(item));
  EXPECT_EQ(values, (std::vector<int64_t>{110, 120, 130}));
  auto [args, json] = Units(Requests(5).at(0).payload);
  EXPECT_EQ(args, ArgsBlock(int64_t{3}));
  EXPECT_EQ(json["num_returns"], "streaming");
  EXPECT_EQ(json["num_cpus"], 2);

  goray::ActorHandle streamer(21, "Streamer", true);
  auto method = StreamMethodCall<goray::Future<std::string>, int64_t>({streamer, "Range"}, int64_t{2});
  static_assert(std::is_same_v<decltype(method.Remote()), goray::Stream<goray::Future<std::string>>>);
  goray::Stream<goray::Future<std::string>> range = method.Remote();
  EXPECT_EQ(range.id(), 7u);
  auto [method_args, method_json] = Units(Requests(13).at(0).payload);
  EXPECT_EQ(method_args, ArgsBlock(int64_t{2}));
  EXPECT_EQ(method_json["goray_task_name"], "Range");
  EXPECT_EQ(method_json["goray_py_local_actor_id"], 21);
  EXPECT_EQ(method_json["num_returns"], "streaming");
}

// An item whose value the driver sent inline: its first Get reads it, with no GetObject;
// a second Get asks the driver as any ref's does. An item without one is read as before.
TEST_F(StreamTest, InlineValueIsReadWithoutGetObject) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{0, U64(11) + "\x01" + ArgsBlock(int64_t{42})}, {0, U64(12)}};
  }
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{2}));
  std::optional<goray::Future<int64_t>> first = stream.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id(), 11u);
  EXPECT_EQ(first->Get(), 42);
  EXPECT_TRUE(Requests(6).empty());
  EXPECT_EQ(first->Get(), 110);  // the fake driver's value of object 11
  std::optional<goray::Future<int64_t>> second = stream.Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Get(), 120);
  EXPECT_EQ(Requests(6).size(), 2u);
}

// A value sent ahead that nobody read goes with its ref: a later ref of the same id
// (the driver never reuses one; here by hand) asks the driver.
TEST_F(StreamTest, UnreadInlineValueGoesWithItsRef) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{0, U64(11) + "\x01" + ArgsBlock(int64_t{42})}};
  }
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{1}));
  ASSERT_TRUE(stream.Next());  // dropped unread
  EXPECT_EQ(goray::ObjectRef(11).Get<int64_t>(), 110);
  EXPECT_EQ(Requests(6).size(), 1u);
}

// With pipelining, an item dropped before the next is asked for leaves a queued release
// that does not cost a SubmitBatch of its own before each NextStreamRef (releases wait for
// company); a queued submission still goes first.
TEST_F(StreamTest, NextLeavesLoneReleasesQueued) {
  ASSERT_EQ(EnableFeatures(1), 1u);
  ThreeItems();
  {
    goray::Stream<> stream = goray::RemoteStream("CountUp", int64_t{3});
    EXPECT_EQ(stream.Next()->id(), 11u);  // dropped at once: its release is queued
    EXPECT_EQ(stream.Next()->id(), 12u);
    goray::ObjectRef queued = goray::RemoteCall("Square", 2.0);  // a SubmitBatch record
    EXPECT_EQ(stream.Next()->id(), 13u);
    // This thread's commands (the flusher may send the releases after its delay).
    std::vector<long long> commands;
    for (const Request& request : Requests(-1)) {
      if (request.thread == std::this_thread::get_id()) commands.push_back(request.command);
    }
    // 5, 36, 36 (no SubmitBatch for the lone release), then the submission's batch
    // (here or by the flusher, which submissions wake), then 36.
    ASSERT_GE(commands.size(), 4u);
    EXPECT_EQ(commands[0], 5);
    EXPECT_EQ(commands[1], 36);
    EXPECT_EQ(commands[2], 36);
    EXPECT_EQ(commands.back(), 36);
    EXPECT_EQ(Requests(36).size(), 3u);
  }
  EXPECT_EQ(EnableFeatures(0), 0u);  // sends the queue
}

// NextStreamRef's batch form (flag 2): u64 first id, 02, u32 count, u8 ended, then per
// item u64 id, u32 value length (0: none), value.
Bytes Batch(const std::vector<std::pair<uint64_t, Bytes>>& items, bool ended) {
  auto u32 = [](uint32_t value) { return U64(value).substr(0, 4); };
  Bytes reply = U64(items.empty() ? 0 : items.front().first) + "\x02" +
                u32(static_cast<uint32_t>(items.size())) + (ended ? "\x01" : Bytes(1, '\0'));
  for (const auto& [id, value] : items) reply += U64(id) + u32(static_cast<uint32_t>(value.size())) + value;
  return reply;
}

// Every item the driver had in one reply: Next() hands them out in order without asking
// again, their inline values read with no GetObject (an item without one asks for it).
TEST_F(StreamTest, BatchReplyGivesItsItemsInOneTrip) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{0, Batch({{11, ArgsBlock(int64_t{1})}, {12, ""}, {13, ArgsBlock(int64_t{3})}}, false)},
              {0, U64(14)}};
  }
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{4}));
  std::vector<int64_t> values;
  for (goray::Future<int64_t> item : stream) {
    values.push_back(item.Get());
    if (values.size() < 3) {
      EXPECT_EQ(Requests(36).size(), 1u);
    }
  }
  EXPECT_EQ(values, (std::vector<int64_t>{1, 120, 3, 140}));
  std::vector<Request> gets = Requests(6);
  ASSERT_EQ(gets.size(), 2u);  // item 12 (no value sent) and item 14 (a one-item reply)
  EXPECT_EQ(nlohmann::json::parse(gets[0].payload)[0], 12);
  EXPECT_EQ(Requests(36).size(), 3u);  // the batch, 14, the end
  EXPECT_EQ(Requests(10).size(), 4u);  // each item released with its last copy
}

// A batch that says the stream ended after it: no request for the end.
TEST_F(StreamTest, BatchThatEndsTheStreamAsksNoMore) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{0, Batch({{11, ArgsBlock(int64_t{5})}, {12, ArgsBlock(int64_t{6})}}, true)}};
  }
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{2}));
  int64_t total = 0;
  for (goray::Future<int64_t> item : stream) total += item.Get();
  EXPECT_EQ(total, 11);
  EXPECT_TRUE(stream.finished());
  EXPECT_FALSE(stream.Next());
  EXPECT_EQ(Requests(36).size(), 1u);
  EXPECT_TRUE(Requests(6).empty());
}

// Items of a batch nobody took are released with the Stream, their values dropped; a
// moved stream keeps them.
TEST_F(StreamTest, UntakenBatchItemsGoWithTheStream) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{0, Batch({{11, ""}, {12, ArgsBlock(int64_t{2})}, {13, ""}}, false)}};
  }
  {
    goray::Stream<> first = goray::RemoteStream("CountUp", int64_t{3});
    EXPECT_EQ(first.Next()->id(), 11u);
    goray::Stream<goray::Future<int64_t>> moved(std::move(first));
    std::optional<goray::Future<int64_t>> second = moved.Next();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id(), 12u);
  }
  std::vector<uint64_t> released;
  for (const Request& request : Requests(10)) released.push_back(abi_call::ReadU64(request.payload));
  std::sort(released.begin(), released.end());
  EXPECT_EQ(released, (std::vector<uint64_t>{7, 11, 12, 13}));
  EXPECT_EQ(goray::ObjectRef(12).Get<int64_t>(), 120);  // its unread value went with it
}

// A malformed batch reply throws ProtocolError and keeps nothing of it.
TEST_F(StreamTest, MalformedBatchReplyIsAProtocolError) {
  const Bytes good = Batch({{11, ArgsBlock(int64_t{1})}, {12, ""}}, false);
  const std::vector<Bytes> bad = {
      good.substr(0, 12),                              // the head cut short
      good.substr(0, good.size() - 1),                 // a value cut short
      good + "x",                                      // bytes after the last item
      Batch({}, false),                                // no items
      U64(99) + good.substr(8),                        // the head's id is not the first item's
      good.substr(0, 13) + "\x02" + good.substr(14),  // an ended byte over 1
  };
  for (const Bytes& reply : bad) {
    {
      std::lock_guard lock(g_mu);
      g_next = {{0, reply}};
    }
    goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{2}));
    EXPECT_THROW(stream.Next(), goray::ProtocolError) << testing::PrintToString(reply);
  }
  EXPECT_EQ(goray::ObjectRef(11).Get<int64_t>(), 110);  // no value of item 11 was kept
}

// A driver that refuses the flags (goray's of version 5 before them) gets the 16-byte
// form, then always. Last in this file: the choice is kept for the process.
TEST_F(StreamTest, DriverRefusingFlagsGetsTheShortForm) {
  {
    std::lock_guard lock(g_mu);
    g_next = {{1, "NextStreamRef: a request is 16 bytes (u64 stream id, f64 timeout), got 24"},
              {0, U64(11)},
              {0, U64(12)}};
  }
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", int64_t{2}));
  std::optional<goray::Future<int64_t>> first = stream.Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->Get(), 110);
  ASSERT_TRUE(stream.Next());
  std::vector<Request> asked = Requests(36);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0].payload, U64(7) + F64(-1.0) + U64(3));
  EXPECT_EQ(asked[1].payload, U64(7) + F64(-1.0));
  EXPECT_EQ(asked[2].payload, U64(7) + F64(-1.0));
}

}  // namespace
