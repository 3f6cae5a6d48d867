// Scattered call arguments (feature bit 4, docs/protocol.md §10): a remote call whose
// args hold a large array and nothing pinned is sent at once as a 3-unit payload
// (compact block, JSON, table) after what is queued; everything else is as before.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "goray/goray.h"
#include "recording_driver.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace {

using recording_driver::Event;
using recording_driver::Events;
using recording_driver::Le;
using recording_driver::U64;

constexpr std::uint64_t kFirstId = 40;

std::vector<std::string> SplitUnits(std::string_view payload) {
  std::vector<std::string> units;
  for (std::size_t at = 0; at < payload.size();) {
    const std::size_t length = Le(payload, at, 8);
    units.emplace_back(payload.substr(at + 8, length));
    at += 8 + length;
  }
  return units;
}

struct TableEntry {
  std::uint64_t offset, length, address;
};

std::vector<TableEntry> Table(const std::string& unit) {
  std::vector<TableEntry> entries;
  for (std::size_t at = 0; at + 24 <= unit.size(); at += 24) {
    entries.push_back({Le(unit, at, 8), Le(unit, at + 8, 8), Le(unit, at + 16, 8)});
  }
  return entries;
}

// The ordinary block a scattered one stands for, read from the caller's memory.
std::string Join(const std::string& compact, const std::vector<TableEntry>& table) {
  std::string block;
  std::size_t at = 0;
  for (const TableEntry& entry : table) {
    block.append(compact, at, entry.offset - at);
    block.append(reinterpret_cast<const char*>(static_cast<std::uintptr_t>(entry.address)),
                 entry.length);
    at = entry.offset;
  }
  return block + compact.substr(at);
}

// Blocks are large: on a mismatch, only the sizes and the first differing byte.
testing::AssertionResult SameBlock(const std::string& got, const std::string& want) {
  if (got == want) return testing::AssertionSuccess();
  std::size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  auto hex = [&](const std::string& bytes) {
    std::string text;
    for (std::size_t i = at - std::min<std::size_t>(at, 8); i < std::min(bytes.size(), at + 8); ++i) {
      static const char kDigits[] = "0123456789abcdef";
      text += kDigits[static_cast<unsigned char>(bytes[i]) >> 4];
      text += kDigits[static_cast<unsigned char>(bytes[i]) & 15];
    }
    return text;
  };
  return testing::AssertionFailure() << "blocks of " << got.size() << " and " << want.size()
                                     << " bytes differ from byte " << at << ": " << hex(got)
                                     << " vs " << hex(want);
}

// The commands other than 33 (and the releases), in order.
std::vector<Event> Commands(long long command) {
  std::vector<Event> found;
  for (const Event& event : Events()) {
    if (event.command == command) found.push_back(event);
  }
  return found;
}

std::vector<recording_driver::Record> Calls() {
  std::vector<recording_driver::Record> calls;
  for (const Event& event : Events()) {
    if (event.command == 33 && event.record.kind >= 2 && event.record.kind <= 4) {
      calls.push_back(event.record);
    }
  }
  return calls;
}

goray::Array<double> Ramp(std::int64_t n) {
  goray::Array<double> array = goray::Array<double>::Zeros({n});
  for (std::int64_t i = 0; i < n; ++i) array[i] = static_cast<double>(i) * 0.25;
  return array;
}

class DriverScatteredCall : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&recording_driver::Callback); }
  void SetUp() override {
    goray::codec::detail::SetArraysEnabled(true);
    recording_driver::Clear();
    next_id_ = kFirstId;
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [this](long long command, const std::string& payload) {
      if (command != 5 && command != 13 && command != 16) return std::make_tuple(0LL, std::string());
      // The table's addresses are valid during the command only: join now.
      const std::vector<std::string> units = SplitUnits(payload);
      if (units.size() == 3) joined_.push_back(Join(units[0], Table(units[2])));
      if (on_call_) on_call_();
      return std::make_tuple(0LL, U64(next_id_++));
    };
  }
  void TearDown() override {
    goray::detail::FlushSubmissions();
    recording_driver::EnableFeatures(0);
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = nullptr;
    on_call_ = nullptr;
  }

  // The args block today's synchronous command sends for `call` (only refs inside
  // values on).
  template <class Call>
  std::string InlineBlock(Call call) {
    const std::uint64_t features = goray::detail::Features();
    recording_driver::EnableFeatures(2);
    recording_driver::Clear();
    call();
    std::vector<Event> sent = Events();
    recording_driver::EnableFeatures(features);
    recording_driver::Clear();
    next_id_ = kFirstId;
    for (const Event& event : sent) {
      if (event.command == 5 || event.command == 13 || event.command == 16) {
        return SplitUnits(event.payload).at(0);
      }
    }
    ADD_FAILURE() << "no call was sent";
    return {};
  }

  std::uint64_t next_id_ = kFirstId;
  std::function<void()> on_call_;
  std::vector<std::string> joined_;  // the blocks of the scattered calls, joined
};

TEST_F(DriverScatteredCall, ALargeArrayGoesScatteredAfterWhatIsQueued) {
  const goray::Array<double> big = Ramp(8192);  // 65536 bytes: large
  const goray::Array<double> small = Ramp(3);
  const std::string inline_block =
      InlineBlock([&] { goray::RemoteCall("Scale2", small, big, 2.0, std::string("x")); });
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  goray::ObjectRef queued = goray::RemoteCall("Square", 1.5);
  goray::ObjectRef scattered = goray::RemoteCall("Scale2", small, big, 2.0, std::string("x"));
  EXPECT_EQ(scattered.id(), kFirstId);  // the driver's id, as for a synchronous call

  const std::vector<Event> events = Events();
  std::size_t call_at = events.size();
  std::size_t record_at = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].command == 5) call_at = i;
    if (events[i].command == 33 && events[i].record.name == "Square") record_at = i;
  }
  ASSERT_LT(call_at, events.size());
  EXPECT_LT(record_at, call_at);  // the queue went first
  EXPECT_EQ(Calls().size(), 1u);  // the scattered call is no record

  const std::vector<std::string> units = SplitUnits(events[call_at].payload);
  ASSERT_EQ(units.size(), 3u);
  const nlohmann::json meta = nlohmann::json::parse(units[1]);
  EXPECT_EQ(meta["goray_task_name"], "Scale2");
  EXPECT_EQ(meta["go_ray_arg_pos_to_object"], nlohmann::json::object());
  const std::vector<TableEntry> table = Table(units[2]);
  ASSERT_EQ(units[2].size(), 24u);
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(table[0].length, 65536u);
  EXPECT_EQ(table[0].address, reinterpret_cast<std::uintptr_t>(big.data()));  // no copy
  EXPECT_LT(units[0].size(), 1024u);
  ASSERT_EQ(joined_.size(), 1u);
  EXPECT_TRUE(SameBlock(joined_[0], inline_block));
}

TEST_F(DriverScatteredCall, TheOwnersLiveUntilTheCommandReturns) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  const goray::Array<double> big = Ramp(16384);
  long during = 0;
  on_call_ = [&] { during = big.owner().use_count(); };
  goray::RemoteCall("Scale2", big);
  EXPECT_EQ(during, 2);  // the caller's Array and the call's record of it
  EXPECT_EQ(big.owner().use_count(), 1);
}

TEST_F(DriverScatteredCall, ActorCallsAndPythonTasksScatterToo) {
  const goray::Array<double> big = Ramp(10000);
  goray::ActorHandle actor(7, "Worker", true);
  const std::string inline_block = InlineBlock([&] { actor.RemoteCall("Sum", big); });
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  goray::ObjectRef method = actor.RemoteCall("Sum", big);
  goray::ObjectRef python = goray::RemoteCallPyTask("mod.total", big);
  EXPECT_EQ(method.id(), kFirstId);
  EXPECT_EQ(python.id(), kFirstId + 1);
  EXPECT_TRUE(Calls().empty());

  const std::vector<Event> actor_calls = Commands(13);
  ASSERT_EQ(actor_calls.size(), 1u);
  std::vector<std::string> units = SplitUnits(actor_calls[0].payload);
  ASSERT_EQ(units.size(), 3u);
  nlohmann::json meta = nlohmann::json::parse(units[1]);
  EXPECT_EQ(meta["goray_task_name"], "Sum");
  EXPECT_EQ(meta["goray_py_local_actor_id"], 7);

  const std::vector<Event> python_calls = Commands(16);
  ASSERT_EQ(python_calls.size(), 1u);
  units = SplitUnits(python_calls[0].payload);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(units[1])["task_name"], "mod.total");
  ASSERT_EQ(joined_.size(), 2u);
  EXPECT_TRUE(SameBlock(joined_[0], inline_block));
  EXPECT_TRUE(SameBlock(joined_[1], inline_block));
}

TEST_F(DriverScatteredCall, ArraysInsideValuesAndRefArgumentsScatter) {
  const goray::Array<double> first = Ramp(9000);
  const goray::Array<double> second = Ramp(12000);
  const std::vector<goray::Array<double>> arrays{first, second};
  goray::ObjectRef input(3);
  const auto call = [&] {
    goray::RemoteCall("Sum", input, std::make_tuple(1, arrays), goray::Option("num_cpus", 1));
  };
  const std::string inline_block = InlineBlock(call);
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  call();
  const std::vector<Event> calls = Commands(5);
  ASSERT_EQ(calls.size(), 1u);
  const std::vector<std::string> units = SplitUnits(calls[0].payload);
  ASSERT_EQ(units.size(), 3u);
  const nlohmann::json meta = nlohmann::json::parse(units[1]);
  EXPECT_EQ(meta["go_ray_arg_pos_to_object"]["0"]["id"], 3);
  EXPECT_EQ(meta["num_cpus"], 1);
  const std::vector<TableEntry> table = Table(units[2]);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0].length, 72000u);
  EXPECT_EQ(table[1].length, 96000u);
  EXPECT_LT(table[0].offset, table[1].offset);
  ASSERT_EQ(joined_.size(), 1u);
  EXPECT_TRUE(SameBlock(joined_[0], inline_block));
}

TEST_F(DriverScatteredCall, WithoutBit4OrLargeArraysCallsAreRecordsAsBefore) {
  const goray::Array<double> big = Ramp(8192);
  const goray::Array<double> below = Ramp(8191);  // 65528 bytes
  const std::string big_block = InlineBlock([&] { goray::RemoteCall("Scale2", big); });
  const std::string below_block = InlineBlock([&] { goray::RemoteCall("Scale2", below); });
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2), 3u);
  goray::RemoteCall("Scale2", big);
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  goray::RemoteCall("Scale2", below);
  goray::detail::FlushSubmissions();
  EXPECT_TRUE(Commands(5).empty());
  const std::vector<recording_driver::Record> calls = Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(SameBlock(calls[0].block, big_block));
  EXPECT_TRUE(SameBlock(calls[1].block, below_block));
}

TEST_F(DriverScatteredCall, WithoutPipeliningALargeCallIsScatteredAndASmallOneInline) {
  const goray::Array<double> big = Ramp(8192);
  ASSERT_EQ(recording_driver::EnableFeatures(4), 4u);
  goray::RemoteCall("Scale2", big);
  goray::RemoteCall("Square", 1.5);
  const std::vector<Event> calls = Commands(5);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(SplitUnits(calls[0].payload).size(), 3u);
  EXPECT_EQ(SplitUnits(calls[1].payload).size(), 2u);
}

TEST_F(DriverScatteredCall, ABlockWithARefInsideIsARecordWithItsDataInline) {
  const goray::Array<double> big = Ramp(8192);
  goray::ObjectRef inner(3);
  const auto call = [&] { goray::RemoteCall("Sum", big, std::vector<goray::ObjectRef>{inner}, big); };
  const std::string inline_block = InlineBlock(call);
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  call();
  goray::detail::FlushSubmissions();
  EXPECT_TRUE(Commands(5).empty());
  const std::vector<recording_driver::Record> calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(SameBlock(calls[0].block, inline_block));
}

TEST_F(DriverScatteredCall, StreamsScatterTooWithTheirStreamingOption) {
  const goray::Array<double> big = Ramp(8192);
  goray::ActorHandle actor(7, "Worker", true);
  const std::string inline_block = InlineBlock([&] { goray::RemoteStream("Chunks", big, 4); });
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  goray::ObjectRef queued = goray::RemoteCall("Square", 1.5);
  { goray::RemoteStream("Chunks", big, 4); }
  { actor.RemoteStream("Rows", big); }
  EXPECT_EQ(Calls().size(), 1u);  // only Square was a record, sent before the streams

  const std::vector<Event> tasks = Commands(5);
  ASSERT_EQ(tasks.size(), 1u);
  std::vector<std::string> units = SplitUnits(tasks[0].payload);
  ASSERT_EQ(units.size(), 3u);
  nlohmann::json meta = nlohmann::json::parse(units[1]);
  EXPECT_EQ(meta["goray_task_name"], "Chunks");
  EXPECT_EQ(meta["num_returns"], "streaming");
  std::vector<TableEntry> table = Table(units[2]);
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(table[0].address, reinterpret_cast<std::uintptr_t>(big.data()));  // no copy

  const std::vector<Event> methods = Commands(13);
  ASSERT_EQ(methods.size(), 1u);
  units = SplitUnits(methods[0].payload);
  ASSERT_EQ(units.size(), 3u);
  meta = nlohmann::json::parse(units[1]);
  EXPECT_EQ(meta["goray_task_name"], "Rows");
  EXPECT_EQ(meta["num_returns"], "streaming");
  ASSERT_EQ(joined_.size(), 2u);
  EXPECT_TRUE(SameBlock(joined_[0], inline_block));
}

TEST_F(DriverScatteredCall, AStreamWithoutBit4IsInline) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2), 3u);
  const goray::Array<double> big = Ramp(8192);
  { goray::RemoteStream("Chunks", big); }
  const std::vector<Event> calls = Commands(5);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(SplitUnits(calls[0].payload).size(), 2u);
}

}  // namespace
