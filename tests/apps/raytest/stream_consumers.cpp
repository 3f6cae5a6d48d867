// raytest part: tasks that consume streams from C++ (goray::Stream): streams.cpp's
// generator tasks and actor, and stream_defs.py's Python generator task.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "parts.h"

namespace raytest {
namespace {

int64_t Sum(goray::Stream<goray::ObjectRef> refs) {
  goray::Stream<goray::Future<int64_t>> stream(std::move(refs));
  int64_t total = 0;
  for (goray::Future<int64_t> item : stream) total += item.Get();
  return total;
}

// The items of CountUp(n), summed as they arrive.
int64_t SumStream(int64_t n) { return Sum(goray::RemoteStream("CountUp", n)); }

// As SumStream, with CountUp run once (max_retries=0).
int64_t SumStreamOnce(int64_t n) {
  return Sum(goray::RemoteStream("CountUp", n, goray::Option("max_retries", 0)));
}

// The items of CrashOnceMidStream (crashes.cpp): its first run dies after `crash_after`
// items, Ray runs it again (max_retries=1); summed, and counted, as they arrive.
std::vector<int64_t> SumCrashOnceStream(std::string marker, int64_t n, int64_t crash_after,
                                        int64_t pause_ms) {
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream(
      "CrashOnceMidStream", marker, n, crash_after, pause_ms, goray::Option("max_retries", 1)));
  int64_t total = 0, count = 0;
  for (goray::Future<int64_t> item : stream) {
    total += item.Get();
    ++count;
  }
  return {total, count};
}

// SmallThenLarge's items (streams.cpp): the sum of every element read here, and of the
// last item's elements summed by the C++ task SumDoubles, its ref handed on.
std::vector<double> SumSmallThenLarge(int64_t small, int64_t large, int64_t size) {
  goray::Stream<goray::Future<std::vector<double>>> stream(
      goray::RemoteStream("SmallThenLarge", small, large, size));
  double total = 0;
  std::optional<goray::Future<std::vector<double>>> last;
  for (goray::Future<std::vector<double>> item : stream) {
    for (double value : item.Get()) total += value;
    last = item;
  }
  const double passed = last ? goray::RemoteCall("SumDoubles", *last).Get<double>() : 0;
  return {total, passed};
}

// CountUp(n)'s items handed on rather than read here (a small item's ref holds its
// block's bytes, which the driver replaces with a NativeBlock's ref as the ref leaves):
// the sums of DoubleOf over each item as an argument, of py_identity over each, of
// py_get_all over all of them inside a list, and of the items read here afterwards.
int64_t DoubleOf(int64_t x) { return 2 * x; }

std::vector<int64_t> PassItemsOn(goray::Stream<goray::ObjectRef> refs) {
  goray::Stream<goray::Future<int64_t>> stream(std::move(refs));
  std::vector<goray::Future<int64_t>> items;
  for (goray::Future<int64_t> item : stream) items.push_back(item);
  std::vector<int64_t> sums(4, 0);
  for (const goray::Future<int64_t>& item : items) {
    sums[0] += goray::RemoteCall("DoubleOf", item).Get<int64_t>();
    sums[1] += goray::RemoteCallPyTask("py_identity", item).Get<int64_t>();
  }
  for (int64_t value : goray::RemoteCallPyTask("py_get_all", items).Get<std::vector<int64_t>>()) {
    sums[2] += value;
  }
  for (goray::Future<int64_t>& item : items) sums[3] += item.Get();
  return sums;
}

std::vector<int64_t> PassStreamItemsOn(int64_t n) { return PassItemsOn(goray::RemoteStream("CountUp", n)); }

// As PassStreamItemsOn, with CountUp run once (max_retries=0): items taken out of a group
// (no ref of their own until one is needed), each read twice, waited on, and (a second
// stream's) handed on; the last sum is the first stream's items read twice.
std::vector<int64_t> PassGroupedItemsOn(int64_t n) {
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("CountUp", n, goray::Option("max_retries", 0)));
  std::vector<goray::Future<int64_t>> items;
  for (goray::Future<int64_t> item : stream) items.push_back(item);
  int64_t twice = 0;  // the first Get reads the value that came with the item, the second asks
  for (goray::Future<int64_t>& item : items) twice += item.Get() + item.Get();
  std::vector<goray::ObjectRef> refs(items.begin(), items.end());
  auto [ready, rest] = goray::WaitFor(refs, refs.size(), 10.0);
  if (ready.size() != refs.size()) throw std::runtime_error("items taken out of a group were not ready at once");
  std::vector<int64_t> sums = PassItemsOn(goray::RemoteStream("CountUp", n, goray::Option("max_retries", 0)));
  sums.push_back(twice);
  return sums;
}

// The items of the Python generator task py_count(n), summed.
int64_t SumPyStream(int64_t n) {
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStreamPyTask("py_count", n));
  int64_t total = 0;
  for (goray::Future<int64_t> item : stream) total += item.Get();
  return total;
}

// FailAfter(n)'s items as text, then the error its next item raised (what()); the
// stream must end right after it.
std::vector<std::string> SeenUntilError(goray::Stream<goray::ObjectRef> refs) {
  goray::Stream<goray::Future<int64_t>> stream(std::move(refs));
  std::vector<std::string> seen;
  while (std::optional<goray::Future<int64_t>> item = stream.Next()) {
    try {
      seen.push_back(std::to_string(item->Get()));
    } catch (const goray::Error& error) {
      seen.push_back(error.what());
    }
  }
  return seen;
}

std::vector<std::string> StreamUntilError(int64_t n) { return SeenUntilError(goray::RemoteStream("FailAfter", n)); }

// As StreamUntilError, with FailAfter run once (max_retries=0).
std::vector<std::string> StreamUntilErrorOnce(int64_t n) {
  return SeenUntilError(goray::RemoteStream("FailAfter", n, goray::Option("max_retries", 0)));
}

// The items of a Streamer actor's Range(n): prefix + i.
std::vector<std::string> RangeOfActor(std::string prefix, int64_t n) {
  goray::ActorHandle streamer = goray::NewActor("Streamer", prefix);
  goray::Stream<goray::Future<std::string>> stream(streamer.RemoteStream("Range", n));
  std::vector<std::string> items;
  for (goray::Future<std::string> item : stream) items.push_back(item.Get());
  return items;
}

// SlowCount(1000, 20): two items, then Cancel(); how many items still arrive with a
// value before the stream ends or an item raises (Ray's TaskCancelledError).
int64_t CancelMidStream() {
  goray::Stream<goray::Future<int64_t>> stream(goray::RemoteStream("SlowCount", int64_t{1000}, int64_t{20}));
  for (int taken = 0; taken < 2; ++taken) {
    std::optional<goray::Future<int64_t>> item = stream.Next();
    if (!item) throw std::runtime_error("SlowCount ended before its second item");
    item->Get();
  }
  stream.Cancel();
  int64_t after = 0;
  try {
    while (std::optional<goray::Future<int64_t>> item = stream.Next()) {
      item->Get();
      ++after;
    }
  } catch (const goray::Error&) {
    // the cancelled task's error: the stream is over
  }
  return after;
}

// NodeItems(n) pinned to the node holding `resource` (the 2-node cluster test): the node
// each item was produced on, as it arrives here.
std::vector<std::string> NodesOfStream(int64_t n, std::string resource) {
  std::map<std::string, double> resources{{resource, 0.01}};
  goray::Stream<goray::Future<std::string>> stream(
      goray::RemoteStream("NodeItems", n, goray::Option("resources", resources)));
  std::vector<std::string> nodes;
  for (goray::Future<std::string> item : stream) nodes.push_back(item.Get());
  return nodes;
}

}  // namespace

void RegisterStreamConsumers(goray::Registry& registry) {
  registry.AddTask("SumStream", &SumStream);
  registry.AddTask("SumStreamOnce", &SumStreamOnce);
  registry.AddTask("SumCrashOnceStream", &SumCrashOnceStream);
  registry.AddTask("SumSmallThenLarge", &SumSmallThenLarge);
  registry.AddTask("PassGroupedItemsOn", &PassGroupedItemsOn);
  registry.AddTask("SumPyStream", &SumPyStream);
  registry.AddTask("DoubleOf", &DoubleOf);
  registry.AddTask("PassStreamItemsOn", &PassStreamItemsOn);
  registry.AddTask("StreamUntilError", &StreamUntilError);
  registry.AddTask("StreamUntilErrorOnce", &StreamUntilErrorOnce);
  registry.AddTask("RangeOfActor", &RangeOfActor);
  registry.AddTask("CancelMidStream", &CancelMidStream);
  registry.AddTask("NodesOfStream", &NodesOfStream);
}

}  // namespace raytest
