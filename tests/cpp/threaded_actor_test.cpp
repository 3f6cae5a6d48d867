// One thread-safe actor instance served on many threads at once through the C ABI, as
// Ray runs a native actor with max_concurrency > 1: plain method calls, calls that go
// to a (fake) driver callback which re-enters Execute, and streams started, resumed and
// closed from several threads, one stream resumed by all of them. Run under TSan by
// scripts/sanitize.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "abi_call.h"
#include "fake_driver.h"
#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

constexpr int kThreads = 6;
std::atomic<int> g_alive{0};  // generator frames alive

// Thread-safe by construction: atomics and one mutex-guarded meeting point.
class Tally {
 public:
  int64_t Add(int64_t x) {
    total_ += x;
    return 2 * x;
  }

  // True once `parties` calls were inside at the same time: fails (after a generous
  // guard timeout) if the runtime ran calls on one instance one at a time.
  bool Meet(int64_t parties) {
    std::unique_lock<std::mutex> lock(mutex_);
    const uint64_t seen = meetings_;
    if (++inside_ >= parties) {
      ++meetings_;
      changed_.notify_all();
    }
    const bool met = changed_.wait_for(lock, std::chrono::seconds(60),
                                       [&] { return meetings_ != seen; });
    --inside_;
    return met;
  }

  // Asks the driver (Native2Py LocalCallPyTask), which may call back into this actor.
  int64_t Ask(int64_t x) { return goray::LocalCallPyTask("py_double", x).Get<int64_t>(); }

  goray::Generator<int64_t> Range(int64_t n) {
    ++g_alive;
    struct Leave {
      ~Leave() { --g_alive; }
    } leave;
    for (int64_t i = 0; i < n; ++i) {
      ++yielded_;  // the shared instance, touched from whichever thread resumes it
      co_yield i;
    }
  }

  int64_t Total() const { return total_.load(); }

 private:
  std::atomic<int64_t> total_{0};
  std::atomic<int64_t> yielded_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t inside_ = 0;
  uint64_t meetings_ = 0;
};

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddActor<Tally>("Tally", [] { return std::make_unique<Tally>(); })
      .ThreadSafe()
      .AddMethod("Add", &Tally::Add)
      .AddMethod("Meet", &Tally::Meet)
      .AddMethod("Ask", &Tally::Ask)
      .AddMethod("Range", &Tally::Range)
      .AddMethod("Total", &Tally::Total);
}

namespace {

using abi_call::ArgsBlock;
using abi_call::Call;
using abi_call::CallPayload;
using abi_call::ReadU64;
using abi_call::Result;
using abi_call::U64;

int64_t Int(const std::string& block, std::size_t offset = 0) {
  return msgpack::unpack(block.data(), block.size(), offset).get().as<int64_t>();
}

std::atomic<uint64_t> g_instance{0};

// The fake driver's LocalCallPyTask: calls Add on the actor (re-entering Execute on
// this thread), then answers 2 * x.
void* FakeDriver(long long, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  std::string input(static_cast<char*>(in_data), static_cast<size_t>(in_len));
  const uint64_t length = ReadU64(input.substr(0, 8));
  const int64_t x = Int(input.substr(8, length));
  Result nested = Call(6, CallPayload("Add", int64_t{0}), g_instance.load());
  std::string body = nested.code == 0 && Int(nested.body) == 0 ? ArgsBlock(2 * x)
                                                                 : ArgsBlock(std::string("bad"));
  return fake_driver::Reply(0, body, out_len, ret_code);
}

class ThreadedActor : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    Result made = Call(5, CallPayload("Tally"));
    ASSERT_EQ(made.code, 0) << made.body;
    instance_ = std::stoull(made.body);
    g_instance = instance_;
  }
  void TearDown() override {
    EXPECT_EQ(Call(7, "", instance_).code, 0);
    EXPECT_EQ(g_alive.load(), 0) << "a generator frame outlived its stream";
  }

  uint64_t StartRange(int64_t n) const {
    Result started = Call(40, CallPayload("Range", n), instance_);
    EXPECT_EQ(started.code, 0) << started.body;
    return started.code == 0 ? ReadU64(started.body) : 0;
  }

  template <class Body>
  static void OnThreads(Body body) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
    for (std::thread& thread : threads) thread.join();
  }

  uint64_t instance_ = 0;
};

TEST_F(ThreadedActor, MethodCallsRunConcurrentlyOnOneInstance) {
  std::atomic<int> met{0};
  OnThreads([&](int) {
    Result result = Call(6, CallPayload("Meet", int64_t{kThreads}), instance_);
    if (result.code != 0) return;
    if (msgpack::unpack(result.body.data(), result.body.size()).get().as<bool>()) ++met;
  });
  EXPECT_EQ(met.load(), kThreads);  // all were inside Meet at once
}

TEST_F(ThreadedActor, ManyThreadsCallMethodsAndTheDriverReentrantly) {
  std::atomic<int> wrong{0};
  constexpr int64_t kCalls = 200;
  OnThreads([&](int t) {
    for (int64_t i = 0; i < kCalls; ++i) {
      const int64_t x = t * 10000 + i;
      Result added = Call(6, CallPayload("Add", x), instance_);
      if (added.code != 0 || Int(added.body) != 2 * x) ++wrong;
      Result asked = Call(6, CallPayload("Ask", x), instance_);  // driver -> Execute -> Add
      if (asked.code != 0 || Int(asked.body) != 2 * x) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
  int64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int64_t i = 0; i < kCalls; ++i) expected += t * 10000 + i;
  }
  EXPECT_EQ(Int(Call(6, CallPayload("Total"), instance_).body), expected);
}

TEST_F(ThreadedActor, StreamsStartedResumedAndClosedOnManyThreads) {
  std::atomic<int> wrong{0};
  OnThreads([&](int t) {
    for (int round = 0; round < 20; ++round) {
      // A stream of this thread's, drained, interleaved with calls.
      const int64_t n = 5 + t + round % 3;
      uint64_t id = StartRange(n);
      for (int64_t i = 0;; ++i) {
        Result item = Call(41, U64(id), static_cast<uint64_t>(round % 2));
        if (item.code != 0) {
          ++wrong;
          break;
        }
        if (item.body == std::string(1, '\0')) {
          if (i != n) ++wrong;
          break;
        }
        if (item.body[0] != '\x01' || Int(item.body, 1) != i) ++wrong;
        if (Call(6, CallPayload("Add", int64_t{1}), instance_).code != 0) ++wrong;
      }
      // One closed early, from this thread.
      uint64_t early = StartRange(100);
      if (Call(41, U64(early)).code != 0) ++wrong;
      if (Call(42, U64(early)).code != 0) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(ThreadedActor, OneStreamResumedByAllThreadsYieldsEachItemOnce) {
  constexpr int64_t kItems = 3000;
  uint64_t id = StartRange(kItems);
  std::mutex mutex;
  std::vector<int64_t> seen;
  std::atomic<int> ends{0};
  std::atomic<int> wrong{0};
  OnThreads([&](int) {
    std::vector<int64_t> mine;
    for (;;) {
      Result item = Call(41, U64(id));
      if (item.code == 1) break;  // another thread saw the end: the id is gone
      if (item.code != 0) {
        ++wrong;
        break;
      }
      if (item.body == std::string(1, '\0')) {
        ++ends;
        break;
      }
      mine.push_back(Int(item.body, 1));
    }
    std::lock_guard<std::mutex> lock(mutex);
    seen.insert(seen.end(), mine.begin(), mine.end());
  });
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ends.load(), 1);
  std::sort(seen.begin(), seen.end());
  std::vector<int64_t> expected(kItems);
  for (int64_t i = 0; i < kItems; ++i) expected[static_cast<size_t>(i)] = i;
  EXPECT_EQ(seen, expected);
}

TEST_F(ThreadedActor, CloseRacesNextOnOtherThreads) {
  for (int round = 0; round < 20; ++round) {
    // Endless: however long the scheduler keeps thread 0 from closing, the readers cannot
    // reach the end (a finished stream is forgotten, so Close would answer code 1).
    uint64_t id = StartRange(std::numeric_limits<int64_t>::max());
    std::mutex mutex;
    std::string wrong;  // what went wrong, for the failure message
    auto note = [&](const std::string& what, const Result& result) {
      std::lock_guard<std::mutex> lock(mutex);
      wrong += what + ": code " + std::to_string(result.code) + ", body size " +
               std::to_string(result.body.size()) +
               (result.body.empty() ? "" : ", tag " + std::to_string(result.body[0])) + "; ";
    };
    std::atomic<bool> closed{false};
    std::atomic<int64_t> items{0};
    OnThreads([&](int t) {
      if (t == 0) {
        for (int i = 0; i < round; ++i) std::this_thread::yield();
        Result close = Call(42, U64(id));
        if (close.code != 0) {
          note("CloseStream after " + std::to_string(items.load()) + " items", close);
        }
        closed = true;
        return;
      }
      for (;;) {
        Result item = Call(41, U64(id));
        if (item.code == 1) return;  // closed
        if (item.code != 0 || item.body[0] != '\x01') {
          note("NextStreamItem after " + std::to_string(items.load()) + " items", item);
          return;
        }
        ++items;
        if (closed.load()) {
          // Closed: at most the calls already past the lookup still get an item.
          Result after = Call(41, U64(id));
          if (after.code != 1) note("NextStreamItem after CloseStream returned", after);
          return;
        }
      }
    });
    EXPECT_EQ(wrong, "") << "round " << round;
    EXPECT_EQ(g_alive.load(), 0);  // Close destroyed the frame
  }
}

}  // namespace

// Of runtime/src, this file exercises calls_in/actor_instances.cpp,
// calls_in/generator_streams.cpp most directly (docs/testing.md, "Finding a module's tests").
