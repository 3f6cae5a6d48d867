// raytest part: generator tasks and actor methods (goray::Generator<T>), the producers
// the streaming tests consume from Python and from C++.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
#include <thread>

#include "parts.h"

namespace raytest {
namespace {

// Generator frames alive in this process: every generator below holds one Alive for
// its whole body, so StreamsAlive() shows that closing or cancelling a stream
// destroyed its frame.
std::atomic<int64_t> g_alive{0};

class Alive {
 public:
  Alive() { ++g_alive; }
  ~Alive() { --g_alive; }
  Alive(const Alive&) = delete;
  Alive& operator=(const Alive&) = delete;
};

goray::Generator<int64_t> CountUp(int64_t n) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) co_yield i;
}

goray::Generator<int64_t> FailAfter(int64_t n) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) co_yield i;
  throw std::runtime_error("stream broke after " + std::to_string(n) + " items");
}

goray::Generator<int64_t> SlowCount(int64_t n, int64_t ms) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    co_yield i;
  }
}

// `items` items in steps of `per_step` made at once. Before the first step, `first_ms`
// of work; before each later step k, a wait for the file `dir`/k, which the consumer
// makes once it has the items of step k - 1 (a consumer that never gets them while the
// producer waits: after `timeout_ms`, the item -1 and the end).
goray::Generator<int64_t> HandOff(std::string dir, int64_t items, int64_t per_step,
                                  int64_t first_ms, int64_t timeout_ms) {
  Alive alive;
  std::this_thread::sleep_for(std::chrono::milliseconds(first_ms));
  for (int64_t item = 0; item < items; ++item) {
    if (item > 0 && item % per_step == 0) {
      const std::filesystem::path file = std::filesystem::path(dir) / std::to_string(item / per_step);
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
      while (!std::filesystem::exists(file)) {
        if (std::chrono::steady_clock::now() >= give_up) {
          co_yield int64_t{-1};
          co_return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    co_yield item;
  }
}

int64_t StreamsAlive() { return g_alive.load(); }

// The node this item was produced on, n times (the 2-node cluster test).
goray::Generator<std::string> NodeItems(int64_t n) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) co_yield goray::GetRuntimeContext().node_id;
}

// n arrays of `size` doubles, item i filled with i.
goray::Generator<goray::Array<double>> ArrayItems(int64_t n, int64_t size) {
  Alive alive;
  for (int64_t i = 0; i < n; ++i) {
    goray::Array<double> item = goray::Array<double>::Zeros({size});
    for (int64_t k = 0; k < size; ++k) item.data()[k] = static_cast<double>(i);
    co_yield std::move(item);
  }
}

// `small` one-element vectors, then `large` vectors of `size` elements, item i filled
// with i: small items that go in groups, then large ones after the stream's first group.
goray::Generator<std::vector<double>> SmallThenLarge(int64_t small, int64_t large, int64_t size) {
  for (int64_t i = 0; i < small + large; ++i) {
    std::vector<double> item(static_cast<std::size_t>(i < small ? 1 : size), static_cast<double>(i));
    co_yield item;
  }
}

// An actor whose Range streams: prefix + i for i in 0..n-1. Count() is how many items
// its streams yielded so far.
class Streamer {
 public:
  explicit Streamer(std::string prefix) : prefix_(std::move(prefix)) {}

  goray::Generator<std::string> Range(int64_t n) {
    Alive alive;
    for (int64_t i = 0; i < n; ++i) {
      ++count_;
      co_yield prefix_ + std::to_string(i);
    }
  }

  int64_t Count() const { return count_.load(); }

 private:
  std::string prefix_;
  std::atomic<int64_t> count_{0};
};

}  // namespace

void RegisterStreams(goray::Registry& registry) {
  registry.AddTask("CountUp", &CountUp);
  registry.AddTask("FailAfter", &FailAfter);
  registry.AddTask("SlowCount", &SlowCount);
  registry.AddTask("HandOff", &HandOff);
  registry.AddTask("StreamsAlive", &StreamsAlive);
  registry.AddTask("NodeItems", &NodeItems);
  registry.AddTask("ArrayItems", &ArrayItems);
  registry.AddTask("SmallThenLarge", &SmallThenLarge);
  registry.AddActor<Streamer>("Streamer", &goray::Constructor<Streamer, std::string>::Create)
      .AddMethod("Range", &Streamer::Range)
      .AddMethod("Count", &Streamer::Count);
}

}  // namespace raytest
