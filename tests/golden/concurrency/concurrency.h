// Concurrency and streaming: a GORAY_THREADSAFE actor with two concurrency groups and
// methods in them (its own and a base's), generator tasks, generator actor methods (of
// std::string and of a struct), a thread-safe actor a factory builds, and an actor that is
// not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <goray/goray.h>

namespace feeds {

/// One item of a feed.
struct Item {
  int64_t id = 0;
  std::string text;
};

/// What every fetcher can do.
class Source {
 public:
  /// Reads one page; runs in the io group of the actor's class.
  GORAY_IN_GROUP("io") std::string Page(int64_t number);
};

/// Fetches pages on two io threads and scores them on one compute thread.
class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2)
    GORAY_CONCURRENCY_GROUP("compute", 1) Fetcher : public Source {
 public:
  explicit Fetcher(std::string base_url);
  GORAY_IN_GROUP("io") std::string Fetch(const std::string& path);
  GORAY_IN_GROUP("compute") double Score(const std::string& text) const;
  /// The lines of a page, one by one.
  GORAY_IN_GROUP("io") goray::Generator<std::string> Lines(std::string path);
  /// The items of a feed, one by one; in Ray's default group.
  goray::Generator<Item> Items(int64_t count);
  int64_t Fetched() const;
};

/// Runs its methods on any number of threads at once.
class GORAY_THREADSAFE Pool {
 public:
  double Work(int64_t iterations);
};

/// Counts without locks: not thread-safe.
class Tally {
 public:
  int64_t Add(int64_t n);
  /// Every total so far.
  goray::Generator<int64_t> History();
};

}  // namespace feeds

struct GORAY_ACTORS FeedActors {
  static std::unique_ptr<feeds::Pool> Pool();
  static std::unique_ptr<feeds::Tally> Tally();
};

struct GORAY_TASKS FeedTasks {
  /// 0, 1, ..., n - 1.
  static goray::Generator<int64_t> CountUp(int64_t n);
  /// Each word of the text.
  goray::Generator<std::string> Words(const std::string& text);
  static int64_t Square(int64_t x);
};
