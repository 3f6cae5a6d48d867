// Concurrency and streaming from C++ (docs/actors.md, docs/streams.md): a task and an actor
// method that yield their results one by one (goray::Generator<T>, Ray streaming
// generators), and a thread-safe actor whose methods run on several threads at once, in
// concurrency groups.
// The driver consumes the streams through the typed wrappers (concurrency.goray.h) and a
// Python generator task (app.py) as a stream of refs; main.py does the same from Python
// through the generated stub module.
#include <goray/goray.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "concurrency.goray.h"

struct GORAY_TASKS Tasks {
  /// The squares 1, 4, ..., n*n, one by one as they are computed.
  goray::Generator<int64_t> Squares(int64_t n) {
    for (int64_t i = 1; i <= n; ++i) co_yield i * i;
  }
};

// A barrier with a timeout: true when `parties` callers were waiting at once, false when
// the timeout passed first (proof that calls of a method really ran concurrently).
class Rendezvous {
 public:
  bool Meet(int64_t parties, double timeout_s) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (++waiting_ >= parties) {
      waiting_ = 0;
      ++generation_;
      released_.notify_all();
      return true;
    }
    const int64_t generation = generation_;
    bool met = released_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                                  [&] { return generation_ != generation; });
    if (!met) --waiting_;
    return met;
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  int64_t waiting_ = 0;
  int64_t generation_ = 0;
};

/// Looks pages up, several at once: its methods keep no unguarded state, so it is declared
/// thread-safe. Fetch runs in the "io" group (two threads), Digest in "compute" (one);
/// the other methods in Ray's default group (max_concurrency threads).
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2)
    GORAY_CONCURRENCY_GROUP("compute", 1) Fetcher {
 public:
  explicit Fetcher(std::string site) : site_(std::move(site)) {}

  /// Waits for `parties` Fetch calls to be inside at once; the page's name, and whether
  /// they met before the timeout.
  GORAY_IN_GROUP("io") std::string Fetch(std::string page, int64_t parties) {
    bool met = fetching_.Meet(parties, 30.0);
    return site_ + "/" + page + (met ? " (fetched alongside another)" : " (fetched alone)");
  }

  /// The length of a page's name (a stand-in for real work).
  GORAY_IN_GROUP("compute") int64_t Digest(std::string page) {
    return static_cast<int64_t>(page.size());
  }

  /// True when `parties` calls were inside at once (Ray's default group).
  bool Meet(int64_t parties) { return meeting_.Meet(parties, 30.0); }

  /// The site's pages, one by one.
  goray::Generator<std::string> Pages(int64_t n) {
    for (int64_t i = 1; i <= n; ++i) co_yield site_ + "/page" + std::to_string(i);
  }

 private:
  const std::string site_;
  Rendezvous fetching_;
  Rendezvous meeting_;
};

GORAY_INIT_OPTIONS(R"({"num_cpus": 2})")

GORAY_DRIVER int Driver() {
  // What the typed handle says of its actor type, at compile time (inside a function
  // body: the scan reads declarations before the generated header exists).
  static_assert(concurrency::FetcherHandle::kThreadSafe);
  static_assert(concurrency::FetcherHandle::kConcurrencyGroups.size() == 2);
  static_assert(concurrency::FetcherHandle::ConcurrencyGroupOf("Fetch") == "io");
  int failures = 0;

  // A C++ generator task: a goray::Stream of typed futures, item by item.
  std::cout << "C++ driver: Squares(5) =";
  int64_t sum = 0;
  for (goray::Future<int64_t> square : concurrency::Squares(5).Remote()) {
    int64_t value = square.Get();
    sum += value;
    std::cout << ' ' << value;
  }
  std::cout << " (sum " << sum << ")\n";
  failures += sum != 55;

  // A Python generator task (app.py): a stream of untyped refs, made typed.
  goray::Stream<goray::Future<int64_t>> countdown(goray::RemoteStreamPyTask("countdown", 3));
  std::cout << "C++ driver: countdown(3) in Python =";
  while (std::optional<goray::Future<int64_t>> item = countdown.Next()) {
    std::cout << ' ' << item->Get();
  }
  std::cout << '\n';

  // A thread-safe actor: two calls of Meet at once in the default group (max_concurrency
  // 2), two of Fetch at once in its "io" group.
  concurrency::FetcherHandle fetcher =
      concurrency::Fetcher("example.org").Remote(goray::Option("max_concurrency", 2));
  auto first = fetcher.Meet(2).Remote();
  auto second = fetcher.Meet(2).Remote();
  bool met = first.Get() && second.Get();
  std::cout << "C++ driver: two Meet calls ran at once: " << (met ? "yes" : "no") << '\n';
  failures += !met;
  auto a = fetcher.Fetch("a", 2).Remote();
  auto b = fetcher.Fetch("b", 2).Remote();
  std::cout << "C++ driver: " << a.Get() << ", " << b.Get() << '\n';
  std::cout << "C++ driver: Digest(\"index\") = " << fetcher.Digest("index").Remote().Get()
            << '\n';

  // A generator method.
  std::cout << "C++ driver: Pages(3) =";
  for (goray::Future<std::string> page : fetcher.Pages(3).Remote()) std::cout << ' ' << page.Get();
  std::cout << std::endl;
  return failures;
}
