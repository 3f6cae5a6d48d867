// Streams through the C ABI (docs/protocol.md §13): DescribeApplication, starting
// generator tasks and methods, their items (encoded as RunTask's or as
// RunTaskForPython's), the end, failures mid-stream, closing early, unknown ids,
// argument errors at the start, the list a driver that does not stream gets, and
// arguments that live as long as the generator. Also the registry's actor traits.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "abi_call.h"
#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

using goray::Generator;

std::atomic<int> g_alive{0};  // generator frames alive (each holds one Alive)
struct Alive {
  Alive() { ++g_alive; }
  ~Alive() { --g_alive; }
};

Generator<int64_t> CountUp(int64_t n) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) co_yield i;
}

Generator<int64_t> FailAfter(int64_t n) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) co_yield i;
  throw std::runtime_error("stream broke after " + std::to_string(n) + " items");
}

// Uses its reference parameters after the start returned (the request is gone then).
Generator<std::string> Repeat(const std::string& text, const std::vector<std::string>& tails,
                              int64_t times) {
  Alive alive;
  for (int64_t i = 0; i < times; ++i) {
    for (const std::string& tail : tails) co_yield text + tail;
  }
}

Generator<goray::Array<double>> ArrayItems(int64_t n, int64_t size) {
  for (int64_t i = 0; i < n; ++i) {
    goray::Array<double> item = goray::Array<double>::Zeros({size});
    for (int64_t k = 0; k < size; ++k) item.data()[k] = static_cast<double>(i);
    co_yield std::move(item);
  }
}

// `bursts` times: `ms` of work (a sleep, at least that long), then `per_burst` items at
// once, numbered from 0 across bursts.
Generator<int64_t> Bursts(int64_t bursts, int64_t per_burst, int64_t ms) {
  Alive alive;
  for (int64_t burst = 0; burst < bursts; ++burst) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    for (int64_t k = 0; k < per_burst; ++k) co_yield burst * per_burst + k;
  }
}

Generator<int64_t> Stepped(int64_t n, int64_t step) {
  for (int64_t i = 0; i < n; ++i) co_yield i * step;
}

Generator<std::tuple<int64_t, std::string>> Pairs(int64_t n) {
  for (int64_t i = 0; i < n; ++i) co_yield std::tuple<int64_t, std::string>{i, std::to_string(i)};
}

double Square(double x) { return x * x; }

// Re-enters Execute from inside its own body (as a callback into the driver could): asks
// for its own next item, then closes itself. What each answered is kept for the test.
std::atomic<uint64_t> g_self_id{0};
std::atomic<long long> g_self_next_code{-1};
std::atomic<long long> g_self_close_code{-1};
long long ExecuteCode(long long command, uint64_t id) {
  return abi_call::Call(command, abi_call::U64(id)).code;
}
Generator<int64_t> SelfClosing() {
  Alive alive;
  co_yield 1;
  g_self_next_code = ExecuteCode(41, g_self_id);
  g_self_close_code = ExecuteCode(42, g_self_id);
  co_yield 2;
  co_yield 3;  // never asked for: the stream closed itself
}

class Streamer {
 public:
  explicit Streamer(std::string prefix) : prefix_(std::move(prefix)) {}
  ~Streamer() { ++destroyed; }
  Generator<std::string> Range(int64_t n) {
    Alive alive;
    for (int64_t i = 0; i < n; ++i) co_yield prefix_ + std::to_string(i);
  }
  Generator<int64_t> Evens(int64_t n, int64_t from) {
    for (int64_t i = 0; i < n; ++i) co_yield from + 2 * i;
  }
  Generator<int64_t> Broken() {
    co_yield 1;
    throw std::invalid_argument("no second item");
  }
  int64_t Count() const { return 1; }
  static inline std::atomic<int> destroyed{0};

 private:
  std::string prefix_;
};

class Fetcher {
 public:
  int64_t Fetch(int64_t x) { return x; }
  Generator<int64_t> Range(int64_t n) {
    for (int64_t i = 0; i < n; ++i) co_yield i;
  }
};

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("CountUp", &CountUp);
  registry.AddTask("FailAfter", &FailAfter);
  registry.AddTask("Repeat", &Repeat);
  registry.AddTask("ArrayItems", &ArrayItems);
  registry.AddTask("Pairs", &Pairs);
  registry.AddTask("Bursts", &Bursts);
  registry.AddTask("Square", &Square);
  registry.AddTask("SelfClosing", &SelfClosing);
  // A default argument: Stepped(n) means Stepped(n, 1).
  registry.AddTask("Stepped", &Stepped, [](int64_t n) { return Stepped(n, 1); });
  registry.AddTask("Lambda", [](int64_t n) -> Generator<std::string> {
    for (int64_t i = 0; i < n; ++i) co_yield std::string(static_cast<std::size_t>(i), 'x');
  });
  registry.AddActor<Streamer>("Streamer", &goray::Constructor<Streamer, std::string>::Create)
      .AddMethod("Range", &Streamer::Range)
      .AddMethod("Evens", &Streamer::Evens,
                 [](Streamer& self, int64_t n) { return self.Evens(n, 0); })
      .AddMethod("Broken", &Streamer::Broken)
      .AddMethod("Count", &Streamer::Count);
  registry.AddActor<Fetcher>("Fetcher", [] { return Fetcher{}; })
      .ThreadSafe()
      .ConcurrencyGroup("io", 2)
      .ConcurrencyGroup("compute", 1)
      .AddMethod("Fetch", &Fetcher::Fetch)
      .AddMethod("Range", &Fetcher::Range)
      .MethodGroup("Fetch", "io");
  // What goray-gen's tables give for keyword arguments (a name no registration has is
  // ignored), and where results hold enums (answered as written).
  registry.SetParameters(
      R"({"tasks": {"Stepped": [{"name": "n"}, {"name": "step", "has_default": true, "default": 1}],)"
      R"( "Nope": [{"name": "x"}]},)"
      R"( "actors": {"Fetcher": {"params": [], "methods": {"Fetch": [{"name": "x"}]}}},)"
      R"( "result_enums": {"structs": {}, "tasks": {"Square": "geo::Kind"}, "actors": {}}})");
}

namespace {

using abi_call::Call;
using abi_call::CallPayload;
using abi_call::ReadU64;
using abi_call::Result;
using abi_call::U64;

uint64_t StartTask(const std::string& payload) {
  Result started = Call(39, payload);
  EXPECT_EQ(started.code, 0) << started.body;
  return started.code == 0 ? ReadU64(started.body) : 0;
}

// One NextStreamItem: the tag and the item's bytes.
struct Item {
  long long code;
  std::string body;
  bool has_item() const { return code == 0 && !body.empty() && body[0] == '\x01'; }
  bool ended() const { return code == 0 && body == std::string(1, '\0'); }
  msgpack::object_handle value() const {
    std::size_t offset = 1;
    msgpack::object_handle handle = msgpack::unpack(body.data(), body.size(), offset);
    EXPECT_EQ(offset, body.size()) << "one value after the tag";
    return handle;
  }
};

Item Next(uint64_t id, uint64_t index = 0) {
  Result result = Call(41, U64(id), index);
  return {result.code, result.body};
}

template <class T>
std::vector<T> Drain(uint64_t id) {
  std::vector<T> items;
  for (;;) {
    Item item = Next(id);
    if (item.ended()) return items;
    if (!item.has_item()) {
      ADD_FAILURE() << "code " << item.code << ": " << item.body;
      return items;
    }
    items.push_back(item.value().get().as<T>());
  }
}

nlohmann::json Failure(const Result& result) {
  EXPECT_EQ(result.code, 5) << result.body;
  return nlohmann::json::parse(result.body, nullptr, false);
}

uint64_t NewStreamer(const std::string& prefix) {
  Result made = Call(5, CallPayload("Streamer", prefix));
  EXPECT_EQ(made.code, 0) << made.body;
  return std::stoull(made.body);
}

class StreamsAbi : public testing::Test {
 protected:
  void SetUp() override { g_alive = 0; }
  void TearDown() override { EXPECT_EQ(g_alive, 0) << "a generator frame outlived its stream"; }
};

TEST_F(StreamsAbi, ProtocolVersionHasStreams) { EXPECT_GE(GorayProtocolVersion(), 5); }

TEST_F(StreamsAbi, DescribeApplicationListsEveryTaskAndActorWithTraits) {
  Result described = Call(38, "");
  ASSERT_EQ(described.code, 0) << described.body;
  nlohmann::json expected = nlohmann::json::parse(R"({
    "tasks": {"ArrayItems": {"stream": true}, "Bursts": {"stream": true},
              "CountUp": {"stream": true},
              "FailAfter": {"stream": true}, "Lambda": {"stream": true},
              "Pairs": {"stream": true}, "Repeat": {"stream": true},
              "SelfClosing": {"stream": true},
              "Square": {"stream": false,
                         "map": {"columns": ["f8"], "result": "f8", "void": false}},
              "Stepped": {"stream": true, "params": [
                  {"name": "n"}, {"name": "step", "has_default": true, "default": 1}]}},
    "actors": {
      "Fetcher": {"thread_safe": true, "concurrency_groups": {"io": 2, "compute": 1},
                  "params": [],
                  "methods": {"Fetch": {"stream": false, "concurrency_group": "io",
                                        "params": [{"name": "x"}],
                                        "map": {"columns": ["i8"], "result": "i8", "void": false}},
                              "Range": {"stream": true}}},
      "Streamer": {"thread_safe": false, "concurrency_groups": {},
                   "methods": {"Broken": {"stream": true},
                               "Count": {"stream": false,
                                         "map": {"columns": [], "result": "i8", "void": false}},
                               "Evens": {"stream": true},
                               "Range": {"stream": true}}}},
    "result_enums": {"structs": {}, "tasks": {"Square": "geo::Kind"}, "actors": {}}})");
  EXPECT_EQ(nlohmann::json::parse(described.body), expected);
  // Keys sorted, no spaces: the exact text a driver may cache.
  const std::string start = R"({"actors":{"Fetcher":{"concurrency_groups":{"compute":1,"io":2},)";
  EXPECT_EQ(described.body.rfind(start, 0), 0u)
      << described.body;
}

TEST_F(StreamsAbi, TaskStreamYieldsItemsThenEndsAndForgetsItsId) {
  uint64_t id = StartTask(CallPayload("CountUp", int64_t{3}));
  ASSERT_NE(id, 0u);
  EXPECT_EQ(g_alive, 0);  // lazy: the body runs on the first NextStreamItem
  EXPECT_EQ(Drain<int64_t>(id), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(g_alive, 0);
  Item after = Next(id);
  EXPECT_EQ(after.code, 1);
  EXPECT_EQ(after.body, "goray: no open stream " + std::to_string(id) +
                            " (never started, finished, failed or closed)");
  EXPECT_EQ(Call(42, U64(id)).code, 1);
}

TEST_F(StreamsAbi, StreamIdsStartAtOneAndAreNeverReused) {
  uint64_t first = StartTask(CallPayload("CountUp", int64_t{0}));
  EXPECT_GE(first, 1u);
  EXPECT_TRUE(Next(first).ended());
  uint64_t second = StartTask(CallPayload("CountUp", int64_t{1}));
  EXPECT_GT(second, first);
  EXPECT_EQ(Call(42, U64(second)).code, 0);
  uint64_t third = StartTask(CallPayload("CountUp", int64_t{1}));
  EXPECT_GT(third, second);
  EXPECT_EQ(Call(42, U64(third)).code, 0);
}

TEST_F(StreamsAbi, ItemsOfSeveralStreamsInterleave) {
  uint64_t a = StartTask(CallPayload("CountUp", int64_t{2}));
  uint64_t b = StartTask(CallPayload("Stepped", int64_t{3}, int64_t{10}));
  EXPECT_EQ(Next(a).value().get().as<int64_t>(), 0);
  EXPECT_EQ(Next(b).value().get().as<int64_t>(), 0);
  EXPECT_EQ(Next(b).value().get().as<int64_t>(), 10);
  EXPECT_EQ(Next(a).value().get().as<int64_t>(), 1);
  EXPECT_TRUE(Next(a).ended());
  EXPECT_EQ(Next(b).value().get().as<int64_t>(), 20);
  EXPECT_TRUE(Next(b).ended());
}

TEST_F(StreamsAbi, ShorterFormsForDefaultArguments) {
  EXPECT_EQ(Drain<int64_t>(StartTask(CallPayload("Stepped", int64_t{3}))),
            (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(Drain<int64_t>(StartTask(CallPayload("Stepped", int64_t{3}, int64_t{5}))),
            (std::vector<int64_t>{0, 5, 10}));
  uint64_t instance = NewStreamer("s");
  Result started = Call(40, CallPayload("Evens", int64_t{2}), instance);
  ASSERT_EQ(started.code, 0) << started.body;
  EXPECT_EQ(Drain<int64_t>(ReadU64(started.body)), (std::vector<int64_t>{0, 2}));
  started = Call(40, CallPayload("Evens", int64_t{2}, int64_t{7}), instance);
  ASSERT_EQ(started.code, 0) << started.body;
  EXPECT_EQ(Drain<int64_t>(ReadU64(started.body)), (std::vector<int64_t>{7, 9}));
  Result wrong = Call(40, CallPayload("Evens"), instance);
  EXPECT_EQ(Failure(wrong)["Error"]["type"], "goray::ArgumentError");
  EXPECT_EQ(Failure(wrong)["Message"],
            "goray::ArgumentError: expected 1 to 2 arguments, received 0 (task Streamer.Evens)");
  EXPECT_EQ(Call(7, "", instance).code, 0);
}

TEST_F(StreamsAbi, LambdaGeneratorTask) {
  EXPECT_EQ(Drain<std::string>(StartTask(CallPayload("Lambda", int64_t{3}))),
            (std::vector<std::string>{"", "x", "xx"}));
}

TEST_F(StreamsAbi, TupleItemsAreOneValueEach) {
  uint64_t id = StartTask(CallPayload("Pairs", int64_t{2}));
  Item first = Next(id);
  ASSERT_TRUE(first.has_item());
  auto pair = first.value().get().as<std::tuple<int64_t, std::string>>();
  EXPECT_EQ(pair, (std::tuple<int64_t, std::string>{0, "0"}));
  EXPECT_EQ(Call(42, U64(id)).code, 0);
}

TEST_F(StreamsAbi, ReferenceParametersStayValidAfterTheStart) {
  // The request's bytes are overwritten and freed when Call returns (above); the
  // generator reads its const std::string& and const std::vector& parameters later.
  std::string text(200, 'a');  // beyond the small-string buffer: a heap block
  uint64_t id = StartTask(
      CallPayload("Repeat", text, std::vector<std::string>{"-1", "-2"}, int64_t{2}));
  std::vector<std::string> items = Drain<std::string>(id);
  EXPECT_EQ(items, (std::vector<std::string>{text + "-1", text + "-2", text + "-1", text + "-2"}));
}

TEST_F(StreamsAbi, FailureMidStreamIsCodeFiveThenTheIdIsGone) {
  uint64_t id = StartTask(CallPayload("FailAfter", int64_t{2}));
  EXPECT_EQ(Next(id).value().get().as<int64_t>(), 0);
  EXPECT_EQ(Next(id).value().get().as<int64_t>(), 1);
  Result failed = Call(41, U64(id));
  nlohmann::json failure = Failure(failed);
  EXPECT_EQ(failure["Message"], "std::runtime_error: stream broke after 2 items (task FailAfter)");
  EXPECT_EQ(failure["Error"]["type"], "std::runtime_error");
  EXPECT_EQ(failure["Error"]["message"], "stream broke after 2 items");
  EXPECT_EQ(failure["Error"]["task"], "FailAfter");
  EXPECT_EQ(g_alive, 0);  // the frame is gone with the failure
  EXPECT_EQ(Next(id).code, 1);
}

// The batch form of NextStreamItem: u64 id, u32 max items, u32 budget (us), u32 max bytes
// -> 02, u8 ended, u32 count, then per item u32 length and the item.
struct Batch {
  long long code = 0;
  std::string body;
  bool ended = false;
  std::vector<std::string> items;  // each one msgpack value
};

std::string U32(uint32_t value) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

uint32_t ReadU32At(const std::string& bytes, std::size_t at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

Batch NextBatch(uint64_t id, uint32_t max_items, uint32_t budget_us = 1000000,
                uint32_t max_bytes = 1u << 20, uint64_t index = 0) {
  Result result = Call(41, U64(id) + U32(max_items) + U32(budget_us) + U32(max_bytes), index);
  Batch batch;
  batch.code = result.code;
  batch.body = result.body;
  if (result.code != 0) return batch;
  EXPECT_GE(result.body.size(), 6u);
  EXPECT_EQ(result.body[0], '\x02');
  batch.ended = result.body[1] == 1;
  const uint32_t count = ReadU32At(result.body, 2);
  std::size_t at = 6;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t length = ReadU32At(result.body, at);
    batch.items.push_back(result.body.substr(at + 4, length));
    at += 4 + length;
  }
  EXPECT_EQ(at, result.body.size()) << "nothing after the last item";
  return batch;
}

std::vector<int64_t> Ints(const Batch& batch) {
  std::vector<int64_t> values;
  for (const std::string& item : batch.items) {
    std::size_t offset = 0;
    msgpack::object_handle handle = msgpack::unpack(item.data(), item.size(), offset);
    EXPECT_EQ(offset, item.size()) << "one value per item";
    values.push_back(handle.get().as<int64_t>());
  }
  return values;
}

TEST_F(StreamsAbi, BatchTakesUpToItsCountThenSaysTheStreamEnded) {
  uint64_t id = StartTask(CallPayload("CountUp", int64_t{11}));
  Batch opening = NextBatch(id, 4);
  EXPECT_EQ(Ints(opening), (std::vector<int64_t>{0}));  // a stream's first batch: one item
  EXPECT_FALSE(opening.ended);
  Batch first = NextBatch(id, 4);
  EXPECT_EQ(Ints(first), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_FALSE(first.ended);
  EXPECT_EQ(Next(id).value().get().as<int64_t>(), 5);  // the single form in between
  Batch second = NextBatch(id, 100);
  EXPECT_EQ(Ints(second), (std::vector<int64_t>{6, 7, 8, 9, 10}));
  EXPECT_TRUE(second.ended);  // ended in the same reply: no trip for the end
  EXPECT_EQ(g_alive, 0);
  EXPECT_EQ(NextBatch(id, 4).code, 1);  // forgotten
  uint64_t empty = StartTask(CallPayload("CountUp", int64_t{0}));
  Batch none = NextBatch(empty, 4);
  EXPECT_TRUE(none.ended);
  EXPECT_TRUE(none.items.empty());
  uint64_t single = StartTask(CallPayload("CountUp", int64_t{1}));
  EXPECT_EQ(Ints(NextBatch(single, 4)), (std::vector<int64_t>{0}));
  Batch end = NextBatch(single, 4);  // the first batch went without a look for more
  EXPECT_TRUE(end.ended);
  EXPECT_TRUE(end.items.empty());
}

TEST_F(StreamsAbi, BatchStopsAtItsBudgetAndItsBytesAfterTheFirstItem) {
  uint64_t id = StartTask(CallPayload("CountUp", int64_t{6}));
  EXPECT_EQ(Ints(NextBatch(id, 100)), (std::vector<int64_t>{0}));  // the first batch
  EXPECT_EQ(Ints(NextBatch(id, 100, 0)), (std::vector<int64_t>{1}));  // budget spent: one
  EXPECT_EQ(Ints(NextBatch(id, 100, 1000000, 1)), (std::vector<int64_t>{2}));  // bytes: one
  Batch rest = NextBatch(id, 100);
  EXPECT_EQ(Ints(rest), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_TRUE(rest.ended);
}

// Each burst's items after its first are made at once, and the work before the next
// burst takes 100 ms: with a 20 ms budget, no batch starts an item after its first one
// (the stream's items have taken 100 ms), so no item waits for the next burst's work.
TEST_F(StreamsAbi, ABatchStartsNoItemThatARecentSlowOneSaysWouldEndPastTheBudget) {
  uint64_t id = StartTask(CallPayload("Bursts", int64_t{2}, int64_t{3}, int64_t{100}));
  std::vector<int64_t> received;
  for (;;) {
    Batch batch = NextBatch(id, 100, 20000);
    ASSERT_EQ(batch.code, 0) << batch.body;
    EXPECT_LE(batch.items.size(), 1u) << "after item " << received.size();
    for (int64_t value : Ints(batch)) received.push_back(value);
    if (batch.ended) break;
  }
  EXPECT_EQ(received, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

// One slow item (200 ms of work before the first), then quick ones: batches of one
// while the slow one is among the stream's last ItemPace::kWindow (128) items at
// least, of several again once it is older than two windows (256 items).
TEST_F(StreamsAbi, ABatchForgetsASlowItemAfterEnoughQuickOnes) {
  uint64_t id = StartTask(CallPayload("Bursts", int64_t{1}, int64_t{600}, int64_t{200}));
  std::vector<std::size_t> sizes;
  int64_t expected = 0;
  for (;;) {
    Batch batch = NextBatch(id, 100, 50000);
    ASSERT_EQ(batch.code, 0) << batch.body;
    for (int64_t value : Ints(batch)) EXPECT_EQ(value, expected++);
    if (!batch.items.empty()) sizes.push_back(batch.items.size());
    if (batch.ended) break;
  }
  EXPECT_EQ(expected, 600);
  ASSERT_GE(sizes.size(), 128u);
  for (std::size_t i = 0; i < 128; ++i) EXPECT_EQ(sizes[i], 1u) << "batch " << i;
  std::size_t singles = 0;
  while (singles < sizes.size() && sizes[singles] == 1) ++singles;
  EXPECT_LE(singles, 257u) << "batches of one after the slow item was forgotten";
  EXPECT_LT(singles, sizes.size()) << "no batch of several items";
}

TEST_F(StreamsAbi, BatchFailureAfterItemsComesWithTheNextCall) {
  uint64_t id = StartTask(CallPayload("FailAfter", int64_t{4}));
  EXPECT_EQ(Ints(NextBatch(id, 100)), (std::vector<int64_t>{0}));  // the first batch
  Batch items = NextBatch(id, 100);
  EXPECT_EQ(Ints(items), (std::vector<int64_t>{1, 2, 3}));  // none lost to the failure
  EXPECT_FALSE(items.ended);
  Result failed = Call(41, U64(id) + U32(100) + U32(1000000) + U32(1u << 20));
  EXPECT_EQ(Failure(failed)["Message"], "std::runtime_error: stream broke after 4 items (task FailAfter)");
  EXPECT_EQ(g_alive, 0);
  EXPECT_EQ(NextBatch(id, 100).code, 1);
  // A failure before any item is the reply itself; the single form answers a kept one too.
  uint64_t at_once = StartTask(CallPayload("FailAfter", int64_t{0}));
  EXPECT_EQ(Failure(Call(41, U64(at_once) + U32(4) + U32(0) + U32(64)))["Error"]["message"],
            "stream broke after 0 items");
  uint64_t later = StartTask(CallPayload("FailAfter", int64_t{2}));
  EXPECT_EQ(Ints(NextBatch(later, 10)), (std::vector<int64_t>{0}));  // the first batch
  EXPECT_EQ(Ints(NextBatch(later, 10)), (std::vector<int64_t>{1}));  // keeps the failure
  EXPECT_EQ(Failure(Call(41, U64(later)))["Error"]["message"], "stream broke after 2 items");
}

TEST_F(StreamsAbi, BatchRequestsAreChecked) {
  uint64_t id = StartTask(CallPayload("CountUp", int64_t{3}));
  Result zero = Call(41, U64(id) + U32(0) + U32(0) + U32(0));
  EXPECT_EQ(zero.code, 1);
  EXPECT_NE(zero.body.find("at least 1 item"), std::string::npos) << zero.body;
  Result odd = Call(41, U64(id) + U32(1));
  EXPECT_EQ(odd.code, 1);
  EXPECT_NE(odd.body.find("expects an 8-byte stream id"), std::string::npos) << odd.body;
  EXPECT_EQ(Call(42, U64(id)).code, 0);
}

TEST_F(StreamsAbi, ClosingEarlyRunsTheFrameDestructors) {
  uint64_t id = StartTask(CallPayload("CountUp", int64_t{1000}));
  EXPECT_EQ(Next(id).value().get().as<int64_t>(), 0);
  EXPECT_EQ(g_alive, 1);
  Result closed = Call(42, U64(id));
  EXPECT_EQ(closed.code, 0);
  EXPECT_EQ(closed.body, "");
  EXPECT_EQ(g_alive, 0);
  EXPECT_EQ(Next(id).code, 1);
  EXPECT_EQ(Call(42, U64(id)).code, 1);
  // Closed before its body ever ran: nothing to clean but the frame.
  uint64_t unstarted = StartTask(CallPayload("CountUp", int64_t{5}));
  EXPECT_EQ(Call(42, U64(unstarted)).code, 0);
}

TEST_F(StreamsAbi, InsideItsOwnGeneratorNextIsRefusedAndCloseEndsItAfterTheItem) {
  uint64_t id = StartTask(CallPayload("SelfClosing"));
  g_self_id = id;
  EXPECT_EQ(Next(id).value().get().as<int64_t>(), 1);
  Item second = Next(id);  // runs the body's calls into Execute
  EXPECT_EQ(g_self_next_code.load(), 1);
  EXPECT_EQ(g_self_close_code.load(), 0);
  ASSERT_TRUE(second.has_item()) << second.body;
  EXPECT_EQ(second.value().get().as<int64_t>(), 2);
  EXPECT_EQ(g_alive, 0);  // destroyed once the item was produced
  EXPECT_EQ(Next(id).code, 1);
}

TEST_F(StreamsAbi, UnknownIdsAndMalformedRequestsAreCodeOne) {
  Item unknown = Next(987654321);
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.body,
            "goray: no open stream 987654321 (never started, finished, failed or closed)");
  Result close_unknown = Call(42, U64(987654321));
  EXPECT_EQ(close_unknown.code, 1);
  EXPECT_EQ(close_unknown.body, unknown.body);
  EXPECT_EQ(Call(41, "abc").body,
            "goray: NextStreamItem expects an 8-byte stream id, received 3 bytes");
  EXPECT_EQ(Call(42, "").body, "goray: CloseStream expects an 8-byte stream id, received 0 bytes");
  uint64_t id = StartTask(CallPayload("CountUp", int64_t{1}));
  Result bad_index = Call(41, U64(id), 2);
  EXPECT_EQ(bad_index.code, 1);
  EXPECT_EQ(bad_index.body, "goray: NextStreamItem's request word index is 0 (items as RunTask) "
                            "or 1 (as RunTaskForPython), received 2");
  EXPECT_EQ(Call(42, U64(id)).code, 0);
}

TEST_F(StreamsAbi, ArgumentErrorsAreReportedAtTheStart) {
  nlohmann::json count = Failure(Call(39, CallPayload("CountUp")));
  EXPECT_EQ(count["Message"],
            "goray::ArgumentError: expected 1 argument, received 0 (task CountUp)");
  nlohmann::json type = Failure(Call(39, CallPayload("CountUp", "three")));
  EXPECT_EQ(type["Error"]["position"], 0);
  EXPECT_EQ(type["Error"]["expected"], "int64_t");
  EXPECT_EQ(type["Error"]["received"], "str");
  EXPECT_EQ(type["Error"]["task"], "CountUp");
  nlohmann::json unknown = Failure(Call(39, CallPayload("NoSuchTask")));
  EXPECT_EQ(unknown["Error"]["type"], "goray::UnknownNameError");
  EXPECT_EQ(unknown["Error"]["kind"], "task");
  EXPECT_EQ(unknown["Error"]["name"], "NoSuchTask");
  Result not_generator = Call(39, CallPayload("Square", 2.0));
  EXPECT_EQ(not_generator.code, 1);
  EXPECT_EQ(not_generator.body,
            "goray: task Square is not a generator (its result is not goray::Generator<T>)");
  EXPECT_EQ(g_alive, 0);
}

TEST_F(StreamsAbi, MethodStreamsAndTheirErrors) {
  uint64_t instance = NewStreamer("item-");
  Result started = Call(40, CallPayload("Range", int64_t{2}), instance);
  ASSERT_EQ(started.code, 0) << started.body;
  uint64_t id = ReadU64(started.body);
  EXPECT_EQ(Next(id).value().get().as<std::string>(), "item-0");

  Result not_generator = Call(40, CallPayload("Count"), instance);
  EXPECT_EQ(not_generator.code, 1);
  EXPECT_EQ(not_generator.body, "goray: method Streamer.Count is not a generator (its result is "
                                "not goray::Generator<T>)");
  nlohmann::json unknown_method = Failure(Call(40, CallPayload("Nope"), instance));
  EXPECT_EQ(unknown_method["Error"]["kind"], "method");
  EXPECT_EQ(unknown_method["Error"]["task"], "Streamer.Nope");
  nlohmann::json bad_arg = Failure(Call(40, CallPayload("Range", "two"), instance));
  EXPECT_EQ(bad_arg["Error"]["task"], "Streamer.Range");
  EXPECT_EQ(bad_arg["Error"]["position"], 0);

  // The stream keeps its instance alive after CloseActor; the instance is gone for calls.
  const int destroyed = Streamer::destroyed.load();
  ASSERT_EQ(Call(7, "", instance).code, 0);
  EXPECT_EQ(Streamer::destroyed.load(), destroyed);
  EXPECT_EQ(Next(id).value().get().as<std::string>(), "item-1");
  EXPECT_TRUE(Next(id).ended());
  EXPECT_EQ(Streamer::destroyed.load(), destroyed + 1);
  Result closed = Call(40, CallPayload("Range", int64_t{1}), instance);
  EXPECT_EQ(closed.code, 1);
  EXPECT_EQ(closed.body, "goray: actor instance " + std::to_string(instance) +
                             " is closed (method Range)");
  nlohmann::json never = Failure(Call(40, CallPayload("Range", int64_t{1}), 1u << 30));
  EXPECT_EQ(never["Error"]["kind"], "actor instance");
}

TEST_F(StreamsAbi, MethodFailureNamesTypeAndMethod) {
  uint64_t instance = NewStreamer("p");
  Result started = Call(40, CallPayload("Broken"), instance);
  ASSERT_EQ(started.code, 0) << started.body;
  uint64_t id = ReadU64(started.body);
  EXPECT_EQ(Next(id).value().get().as<int64_t>(), 1);
  nlohmann::json failure = Failure(Call(41, U64(id)));
  EXPECT_EQ(failure["Message"], "std::invalid_argument: no second item (task Streamer.Broken)");
  EXPECT_EQ(failure["Error"]["task"], "Streamer.Broken");
  EXPECT_EQ(Next(id).code, 1);
  EXPECT_EQ(Call(7, "", instance).code, 0);
}

TEST_F(StreamsAbi, RunTaskAndMethodCallOnAGeneratorAnswerAListOfAllItems) {
  Result all = Call(4, CallPayload("CountUp", int64_t{4}));
  ASSERT_EQ(all.code, 0) << all.body;
  std::size_t offset = 0;
  msgpack::object_handle list = msgpack::unpack(all.body.data(), all.body.size(), offset);
  EXPECT_EQ(offset, all.body.size());  // one value: the list
  EXPECT_EQ(list.get().as<std::vector<int64_t>>(), (std::vector<int64_t>{0, 1, 2, 3}));
  Result none = Call(4, CallPayload("CountUp", int64_t{0}));
  ASSERT_EQ(none.code, 0);
  EXPECT_EQ(msgpack::unpack(none.body.data(), none.body.size()).get().as<std::vector<int64_t>>(),
            std::vector<int64_t>{});
  nlohmann::json failed = Failure(Call(4, CallPayload("FailAfter", int64_t{3})));
  EXPECT_EQ(failed["Message"], "std::runtime_error: stream broke after 3 items (task FailAfter)");

  uint64_t instance = NewStreamer("m");
  Result method = Call(6, CallPayload("Range", int64_t{2}), instance);
  ASSERT_EQ(method.code, 0) << method.body;
  EXPECT_EQ(msgpack::unpack(method.body.data(), method.body.size())
                .get()
                .as<std::vector<std::string>>(),
            (std::vector<std::string>{"m0", "m1"}));
  Result for_python = Call(35, CallPayload("Range", int64_t{1}), instance);
  ASSERT_EQ(for_python.code, 0) << for_python.body;
  EXPECT_EQ(msgpack::unpack(for_python.body.data(), for_python.body.size())
                .get()
                .as<std::vector<std::string>>(),
            (std::vector<std::string>{"m0"}));
  EXPECT_EQ(Call(7, "", instance).code, 0);
}

class StreamArrays : public StreamsAbi {
 protected:
  void SetUp() override {
    StreamsAbi::SetUp();
    ASSERT_EQ(Call(33, "").code, 0);  // EnableArrays
  }
  void TearDown() override {
    goray::codec::detail::SetArraysEnabled(false);
    EXPECT_EQ(goray::codec::detail::LiveArrayHandoffs(), 0u);
    StreamsAbi::TearDown();
  }
};

uint64_t LoadLittle(const char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

TEST_F(StreamArrays, IndexZeroEncodesItemsInlineAligned) {
  uint64_t id = StartTask(CallPayload("ArrayItems", int64_t{2}, int64_t{3}));
  Item first = Next(id, 0);
  ASSERT_TRUE(first.has_item()) << first.body;
  // tag, ext32 header (6 bytes), ext 71 header (4) and shape (8), pad, 3 doubles
  EXPECT_EQ(first.body[1], '\xc9');
  EXPECT_EQ(first.body[6], 71);
  const std::size_t pad = static_cast<uint8_t>(first.body[7 + 3]);
  EXPECT_EQ((1 + 6 + 4 + 8 + pad) % 64, 0u);  // data 64-byte aligned in the reply
  ASSERT_EQ(first.body.size(), 1 + 6 + 4 + 8 + pad + 24);
  double values[3];
  std::memcpy(values, first.body.data() + 1 + 6 + 4 + 8 + pad, sizeof values);
  EXPECT_EQ(values[2], 0.0);
  EXPECT_EQ(goray::codec::detail::LiveArrayHandoffs(), 0u);
  EXPECT_EQ(Call(42, U64(id)).code, 0);
}

TEST_F(StreamArrays, IndexOneHandsItemsOverAsExt72Owned) {
  uint64_t id = StartTask(CallPayload("ArrayItems", int64_t{2}, int64_t{1000}));
  for (int i = 0; i < 2; ++i) {
    Item item = Next(id, 1);
    ASSERT_TRUE(item.has_item()) << item.body;
    msgpack::object_handle value = item.value();
    ASSERT_EQ(value.get().type, msgpack::type::EXT);
    ASSERT_EQ(value.get().via.ext.type(), 72);
    const char* payload = value.get().via.ext.data();
    EXPECT_EQ(payload[0], 'f');
    EXPECT_EQ(payload[3], 1);  // owned
    const int ndim = payload[2];
    ASSERT_EQ(ndim, 1);
    const auto* data = reinterpret_cast<const double*>(LoadLittle(payload + 4 + 8 * ndim));
    const uint64_t token = LoadLittle(payload + 12 + 8 * ndim);
    EXPECT_NE(token, 0u);
    EXPECT_EQ(goray::codec::detail::LiveArrayHandoffs(), 1u);
    EXPECT_EQ(data[999], static_cast<double>(i));  // alive until ReleaseArray
    EXPECT_EQ(Call(36, U64(token)).code, 0);
  }
  EXPECT_TRUE(Next(id, 1).ended());
}

TEST_F(StreamArrays, ABatchHandsEveryArrayItemOver) {
  uint64_t id = StartTask(CallPayload("ArrayItems", int64_t{3}, int64_t{1000}));
  Batch batch = NextBatch(id, 10, 1000000, 1u << 20, 1);  // the first batch: one item
  ASSERT_EQ(batch.code, 0) << batch.body;
  Batch rest = NextBatch(id, 10, 1000000, 1u << 20, 1);
  ASSERT_EQ(rest.code, 0) << rest.body;
  batch.items.insert(batch.items.end(), rest.items.begin(), rest.items.end());
  ASSERT_EQ(batch.items.size(), 3u);
  EXPECT_TRUE(rest.ended);
  EXPECT_EQ(goray::codec::detail::LiveArrayHandoffs(), 3u);  // one per item, all alive
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    msgpack::object_handle value = msgpack::unpack(batch.items[i].data(), batch.items[i].size());
    ASSERT_EQ(value.get().via.ext.type(), 72);
    const char* payload = value.get().via.ext.data();
    const auto* data = reinterpret_cast<const double*>(LoadLittle(payload + 12));
    EXPECT_EQ(data[999], static_cast<double>(i));
    EXPECT_EQ(Call(36, U64(LoadLittle(payload + 20))).code, 0);
  }
  EXPECT_EQ(goray::codec::detail::LiveArrayHandoffs(), 0u);
}

TEST_F(StreamArrays, RunTaskForPythonOnAGeneratorHandsEachItemOver) {
  Result all = Call(34, CallPayload("ArrayItems", int64_t{2}, int64_t{4}));
  ASSERT_EQ(all.code, 0) << all.body;
  msgpack::object_handle list = msgpack::unpack(all.body.data(), all.body.size());
  ASSERT_EQ(list.get().type, msgpack::type::ARRAY);
  ASSERT_EQ(list.get().via.array.size, 2u);
  for (const msgpack::object& item : list.get().via.array) {
    ASSERT_EQ(item.via.ext.type(), 72);
    const char* payload = item.via.ext.data();
    EXPECT_EQ(Call(36, U64(LoadLittle(payload + 12 + 8 * payload[2]))).code, 0);
  }
  // RunTask (4) on the same generator: inline ext 71 items, nothing handed over.
  Result inline_items = Call(4, CallPayload("ArrayItems", int64_t{2}, int64_t{4}));
  ASSERT_EQ(inline_items.code, 0);
  msgpack::object_handle inline_list =
      msgpack::unpack(inline_items.body.data(), inline_items.body.size());
  EXPECT_EQ(inline_list.get().via.array.ptr[1].via.ext.type(), 71);
}

// The registry refuses bad uses of the actor traits with clear exceptions.
struct Plain {
  int64_t Get() { return 0; }
};

TEST(RegistryTraits, ConcurrencyGroupsAndMethodGroupsAreChecked) {
  goray::Registry registry;
  auto plain = registry.AddActor<Plain>("Plain", [] { return Plain{}; });
  plain.AddMethod("Get", &Plain::Get);
  try {
    plain.ConcurrencyGroup("io", 2);
    FAIL() << "a group on a type that is not thread-safe";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "goray: actor type Plain: concurrency group io needs a thread-safe "
                               "actor type (call ThreadSafe() first): a group runs its methods "
                               "beside the others");
  }
  plain.ThreadSafe();
  EXPECT_THROW(plain.ConcurrencyGroup("io", 0), std::invalid_argument);
  EXPECT_THROW(plain.ConcurrencyGroup("", 1), std::invalid_argument);
  plain.ConcurrencyGroup("io", 2);
  EXPECT_THROW(plain.ConcurrencyGroup("io", 3), std::logic_error);
  try {
    plain.MethodGroup("Put", "io");
    FAIL() << "a method not added";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(),
                 "goray: actor type Plain: MethodGroup(Put, io): no method Put was added before");
  }
  try {
    plain.MethodGroup("Get", "db");
    FAIL() << "a group not declared";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "goray: actor type Plain: MethodGroup(Get, db): no concurrency "
                               "group db was declared before");
  }
  plain.MethodGroup("Get", "io");
  plain.MethodGroup("Get", "io");  // the same again is harmless
  plain.ConcurrencyGroup("cpu", 1);
  EXPECT_THROW(plain.MethodGroup("Get", "cpu"), std::logic_error);
  const goray::ActorType* type = registry.FindActorType("Plain");
  ASSERT_NE(type, nullptr);
  EXPECT_TRUE(type->thread_safe);
  EXPECT_EQ(type->concurrency_groups,
            (std::vector<std::pair<std::string, int>>{{"io", 2}, {"cpu", 1}}));
  EXPECT_EQ(type->method_groups.at("Get"), "io");
  EXPECT_TRUE(type->streams.empty());
}

TEST(RegistryTraits, ParametersMustBeAJsonObject) {
  goray::Registry registry;
  EXPECT_THROW(registry.SetParameters("[1]"), std::invalid_argument);
  EXPECT_THROW(registry.SetParameters("{"), std::invalid_argument);
  EXPECT_EQ(registry.parameters(), "{}");
  registry.SetParameters(R"({"tasks": {}})");
  EXPECT_EQ(registry.parameters(), R"({"tasks": {}})");
}

TEST(RegistryTraits, GeneratorsAreRecordedAsStreams) {
  goray::Registry registry;
  registry.AddTask("CountUp", &CountUp);
  registry.AddTask("Square", &Square);
  EXPECT_NE(registry.FindTaskStream("CountUp"), nullptr);
  EXPECT_NE(registry.FindTask("CountUp"), nullptr);  // runs to its end for RunTask
  EXPECT_EQ(registry.FindTaskStream("Square"), nullptr);
  EXPECT_EQ(registry.FindTaskStream("Nope"), nullptr);
  EXPECT_THROW(registry.AddTask("CountUp", &CountUp), std::logic_error);
}

}  // namespace

// Of runtime/src, this file exercises calls_in/generator_streams.cpp, calls_in/item_pace.h,
// calls_in/stream_requests.cpp most directly (docs/testing.md, "Finding a module's tests").
