// Generators with default arguments and parameters by const reference (the stream keeps
// the decoded arguments; the generator refers to them after its call returned), a
// thread-safe actor with a group, and a C++ caller of the stream wrappers.
#include <goray/goray.h>

#include <cstdint>
#include <string>

#include "streams.goray.h"

namespace {
const std::string kSuffix = "!";  // a default only this file sees
}  // namespace

struct GORAY_TASKS StreamTasks {
  /// `word` `times` times, each with a suffix.
  static goray::Generator<std::string> Repeat(const std::string& word, int64_t times = 3,
                                              const std::string& suffix = kSuffix) {
    for (int64_t i = 0; i < times; ++i) co_yield word + suffix;
  }
};

class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2) Tagger {
 public:
  explicit Tagger(std::string tag = "t") : tag_(std::move(tag)) {}
  /// `n` items `prefix` + the actor's tag.
  GORAY_IN_GROUP("io") goray::Generator<std::string> Tag(const std::string& prefix,
                                                         int64_t n = 2) {
    for (int64_t i = 0; i < n; ++i) co_yield prefix + tag_;
  }

 private:
  std::string tag_;
};

// A C++ caller of the generated stream wrappers.
int64_t CountRepeats(const std::string& word) {
  int64_t count = 0;
  for (goray::Future<std::string> item : streams::Repeat(word).Remote()) {
    count += static_cast<int64_t>(item.Get().size());
  }
  streams::TaggerHandle tagger = streams::Tagger().Remote(goray::Option("max_concurrency", 2));
  goray::Stream<goray::Future<std::string>> tags = tagger.Tag(word, 1).Remote();
  while (auto tag = tags.Next()) count += static_cast<int64_t>(tag->Get().size());
  return count;
}
