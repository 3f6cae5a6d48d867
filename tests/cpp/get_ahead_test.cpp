// Single Gets read ahead (feature bit 8, docs/protocol.md §11, "Reading ahead"): a Get
// that goes to the driver names the live refs made after its own; the values the driver
// sends are kept for those refs' first Get, which then asks nothing; the rest go as
// before. Without the bit a Get names its own id alone.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "goray/goray.h"
#include "recording_driver.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace goray::detail {
std::size_t PrefetchedBytes();  // runtime/src/refs/prefetched.h
}  // namespace goray::detail

namespace {

using recording_driver::GetObjectsEntry;
using recording_driver::Packed;

class GetAhead : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&recording_driver::Callback); }
  void SetUp() override { recording_driver::Clear(); }
  void TearDown() override {
    goray::detail::FlushSubmissions();
    recording_driver::EnableFeatures(0);
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = nullptr;
  }
  // The driver answers GetObjects: the first id's value is its id as a double; an id read
  // ahead gets `ahead[id]` (code 0, that value) when listed, else code 2 (not sent).
  void AnswerAhead(std::map<std::uint64_t, double> ahead) {
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [ahead](long long command, const std::string& payload) {
      if (command != 34) return std::make_tuple(0LL, std::string());
      const auto request = recording_driver::ParseBatch(payload);
      std::string body = GetObjectsEntry(0, Packed(static_cast<double>(request.ids[0])));
      for (std::size_t i = 1; i < request.ids.size(); ++i) {
        auto found = ahead.find(request.ids[i]);
        body += found == ahead.end() ? GetObjectsEntry(2, "") : GetObjectsEntry(0, Packed(found->second));
      }
      return std::make_tuple(0LL, body);
    };
  }
  // The driver answers every GetObjects with `body`.
  void AnswerEvery(std::string body) {
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [body](long long command, const std::string&) {
      return std::make_tuple(0LL, command == 34 ? body : std::string());
    };
  }
};

TEST_F(GetAhead, AGetNamesTheLiveRefsAfterItsOwnAndTheirFirstGetsAskNothing) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 8), 9u);
  goray::ObjectRef earlier(10);  // made before: never named by a later Get
  std::vector<goray::ObjectRef> refs;
  for (std::uint64_t id = 20; id < 25; ++id) refs.emplace_back(id);
  AnswerAhead({{21, 121.0}, {23, 123.0}});
  EXPECT_EQ(refs[0].Get<double>(), 20.0);
  auto requests = recording_driver::BatchRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].ids, (std::vector<std::uint64_t>{20, 21, 22, 23, 24}));
  EXPECT_TRUE(requests[0].ahead);
  EXPECT_FALSE(requests[0].lend);
  EXPECT_EQ(refs[1].Get<double>(), 121.0);  // the values sent ahead: no request
  EXPECT_EQ(refs[3].Get<double>(), 123.0);
  EXPECT_EQ(recording_driver::BatchRequests().size(), 1u);
  EXPECT_EQ(goray::detail::PrefetchedBytes(), 0u);
  EXPECT_EQ(refs[2].Get<double>(), 22.0);  // not sent: its own Get asks, naming those after it
  requests = recording_driver::BatchRequests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].ids, (std::vector<std::uint64_t>{22, 23, 24}));
  EXPECT_EQ(refs[1].Get<double>(), 21.0);  // a second Get asks the driver as always
  EXPECT_EQ(recording_driver::BatchRequests().size(), 3u);
}

TEST_F(GetAhead, AValueSentAheadGoesWithItsRef) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 8), 9u);
  goray::ObjectRef first(30);
  {
    goray::ObjectRef second(31);
    AnswerAhead({{31, 5.0}});
    EXPECT_EQ(first.Get<double>(), 30.0);
    EXPECT_GT(goray::detail::PrefetchedBytes(), 0u);
  }  // never read: its value goes with it
  EXPECT_EQ(goray::detail::PrefetchedBytes(), 0u);
  goray::ObjectRef third(32);
  EXPECT_EQ(first.Get<double>(), 30.0);
  EXPECT_EQ(recording_driver::BatchRequests().back().ids, (std::vector<std::uint64_t>{30, 32}));
}

TEST_F(GetAhead, AfterAGetThatBroughtNothingTheNextGetsPauseLongerEachTime) {
  // (Each test runs in a process of its own under ctest: the pause starts at 1.)
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 8), 9u);
  std::vector<goray::ObjectRef> refs;
  for (std::uint64_t id = 70; id < 77; ++id) refs.emplace_back(id);
  AnswerAhead({});  // nothing ready
  for (const goray::ObjectRef& ref : refs) ref.Get<double>();
  std::vector<std::size_t> named;
  for (const auto& request : recording_driver::BatchRequests()) named.push_back(request.ids.size());
  // 70 names all after it and brings nothing: 71 alone; 72 names the rest, nothing again:
  // 73 and 74 alone; 75 names 76, nothing: 76 alone (the pause is 4 now).
  EXPECT_EQ(named, (std::vector<std::size_t>{7, 1, 5, 1, 1, 2, 1}));
  AnswerAhead({{78, 1.0}});
  goray::ObjectRef more(77);
  goray::ObjectRef after(78);
  for (int i = 0; i < 3; ++i) more.Get<double>();  // the rest of the pause
  more.Get<double>();                              // names 78, which comes: the pause ends
  EXPECT_EQ(recording_driver::BatchRequests().back().ids, (std::vector<std::uint64_t>{77, 78}));
  EXPECT_EQ(after.Get<double>(), 1.0);
  goray::ObjectRef last(79);
  more.Get<double>();  // no pause: names the live refs after it at once (78 read already, still live)
  EXPECT_EQ(recording_driver::BatchRequests().back().ids, (std::vector<std::uint64_t>{77, 78, 79}));
}

TEST_F(GetAhead, WithoutBit8AGetNamesItsOwnIdAlone) {
  ASSERT_EQ(recording_driver::EnableFeatures(1), 1u);
  goray::ObjectRef first(40);
  goray::ObjectRef second(41);
  AnswerAhead({{41, 1.0}});
  EXPECT_EQ(first.Get<double>(), 40.0);
  const auto requests = recording_driver::BatchRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].ids, std::vector<std::uint64_t>{40});
  EXPECT_FALSE(requests[0].ahead);
  EXPECT_EQ(second.Get<double>(), 41.0);  // asked: nothing was kept
  EXPECT_EQ(recording_driver::BatchRequests().size(), 2u);
}

TEST_F(GetAhead, AFailureOfTheGetIsThrownAndTheValuesSentAreStillKept) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 8), 9u);
  goray::ObjectRef failing(50);
  goray::ObjectRef later(51);
  AnswerEvery(GetObjectsEntry(1, "ValueError: no (task f)") + GetObjectsEntry(0, Packed(7.0)));
  EXPECT_THROW(failing.Get<double>(), goray::Error);
  EXPECT_EQ(later.Get<double>(), 7.0);
  EXPECT_EQ(recording_driver::BatchRequests().size(), 1u);
}

TEST_F(GetAhead, AMalformedReplyIsAProtocolError) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 8), 9u);
  goray::ObjectRef first(60);
  goray::ObjectRef second(61);
  AnswerEvery(GetObjectsEntry(0, Packed(1.0)));  // one entry where two ids were asked
  EXPECT_THROW(first.Get<double>(), goray::ProtocolError);
}

}  // namespace

// Of runtime/src, this file exercises refs/live_refs.cpp, features/driver_session.h most
// directly (docs/testing.md, "Finding a module's tests").
