// Batch reads lend as GetObject does (feature bit 4, docs/protocol.md §10): GetObjects
// (34) carries the lend flag only with the bit, each code-0 entry starts with its own
// lent id, released once when that entry's last user is gone; the one-GetObject-per-ref
// form (bit 1 off) asks to lend the same way.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "goray/goray.h"
#include "recording_driver.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace {

using recording_driver::BatchRequest;
using recording_driver::BatchRequests;
using recording_driver::Events;
using recording_driver::LentArray;
using recording_driver::Packed;
using recording_driver::Releases;
using recording_driver::U64;

constexpr std::uint64_t kFirst = 5;
constexpr std::uint64_t kSecond = 6;
constexpr std::uint64_t kFirstLent = 901;
constexpr std::uint64_t kSecondLent = 902;

// What the driver answers for one object: a code, and for code 0 the lent id (sent
// only to a lend request) and the block.
struct Answer {
  long long code = 0;
  std::uint64_t lent = 0;
  std::string body;
};

// A GetObjects request (docs/protocol.md §11): its ids and whether it asks to lend.
std::vector<nlohmann::json> GetRequests() {
  std::vector<nlohmann::json> requests;
  for (const auto& event : Events()) {
    if (event.command == 6) requests.push_back(nlohmann::json::parse(event.payload));
  }
  return requests;
}

class GetObjectsLend : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&recording_driver::Callback); }
  void SetUp() override {
    goray::codec::detail::SetArraysEnabled(true);
    recording_driver::Clear();
    // The object store's memory: what lent entries point at.
    first_.assign(8192, 0.0);
    second_.assign(8192, 0.0);
    for (std::size_t i = 0; i < first_.size(); ++i) {
      first_[i] = 0.5 * static_cast<double>(i);
      second_[i] = 2.0 * static_cast<double>(i);
    }
    answers_[kFirst] = {0, kFirstLent, LentArray(first_)};
    answers_[kSecond] = {0, kSecondLent, LentArray(second_)};
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [this](long long command, const std::string& payload) {
      return Reply(command, payload);
    };
  }
  void TearDown() override {
    goray::detail::FlushSubmissions();
    recording_driver::EnableFeatures(0);
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = nullptr;
  }

  // An answer's bytes as GetObject gives them: the lent id first for a lend request
  // (0 when nothing is lent), never before a failure.
  std::string Entry(const Answer& answer, bool lend) const {
    if (answer.code != 0 || !lend) return answer.body;
    return U64(answer.lent) + answer.body;
  }

  std::tuple<long long, std::string> Reply(long long command, const std::string& payload) {
    if (command == 6) {
      const nlohmann::json request = nlohmann::json::parse(payload);
      const Answer& answer = answers_.at(request[0].get<std::uint64_t>());
      return {answer.code, Entry(answer, request.size() == 4 && request[3] == 1)};
    }
    if (command == 34) {
      const BatchRequest request = recording_driver::ParseBatch(payload);
      std::string reply;
      for (std::uint64_t id : request.ids) {
        const Answer& answer = answers_.at(id);
        const std::string bytes = Entry(answer, request.lend);
        reply += recording_driver::GetObjectsEntry(static_cast<std::uint32_t>(answer.code), bytes);
      }
      return {0, reply};
    }
    if (command == 8) {  // WaitObject (AsCompleted): every id ready
      const nlohmann::json request = nlohmann::json::parse(payload);
      std::vector<std::size_t> ready;
      for (std::size_t i = 0; i < request["object_ref_local_ids"].size(); ++i) ready.push_back(i);
      return {0, nlohmann::json::array({ready, nlohmann::json::array()}).dump()};
    }
    return {0, ""};
  }

  static std::vector<goray::ObjectRef> Refs() {
    return {goray::ObjectRef(kFirst), goray::ObjectRef(kSecond)};
  }

  std::vector<double> first_;
  std::vector<double> second_;
  std::map<std::uint64_t, Answer> answers_;
};

TEST_F(GetObjectsLend, TheBatchRequestAsksToLendOnlyWithBit4) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2), 3u);
  answers_[kFirst] = {0, 0, Packed(1.5)};
  answers_[kSecond] = {0, 0, Packed(2.5)};
  EXPECT_EQ(goray::Get<double>(Refs()), (std::vector<double>{1.5, 2.5}));
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  EXPECT_EQ(goray::Get<double>(Refs()), (std::vector<double>{1.5, 2.5}));  // lent id 0: as before
  const std::vector<BatchRequest> requests = BatchRequests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].size, 12u + 16u);  // no flags byte
  EXPECT_FALSE(requests[0].lend);
  EXPECT_EQ(requests[1].size, 12u + 16u + 1u);
  EXPECT_TRUE(requests[1].lend);
  EXPECT_EQ(requests[1].ids, (std::vector<std::uint64_t>{kFirst, kSecond}));
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(0), 0);  // lent id 0 names nothing
}

TEST_F(GetObjectsLend, ThePerRefFallbackAsksToLendOnlyWithBit4) {
  answers_[kFirst] = {0, 0, Packed(1.5)};
  answers_[kSecond] = {0, 0, Packed(2.5)};
  ASSERT_EQ(recording_driver::EnableFeatures(0), 0u);
  EXPECT_EQ(goray::Get<double>(Refs()), (std::vector<double>{1.5, 2.5}));
  ASSERT_EQ(recording_driver::EnableFeatures(4), 4u);
  EXPECT_EQ(goray::Get<double>(Refs()), (std::vector<double>{1.5, 2.5}));
  const std::vector<nlohmann::json> requests = GetRequests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].dump(), "[5,-1,false]");
  EXPECT_EQ(requests[1].dump(), "[6,-1,false]");
  EXPECT_EQ(requests[2].dump(), "[5,-1,false,1]");
  EXPECT_EQ(requests[3].dump(), "[6,-1,false,1]");
  EXPECT_TRUE(BatchRequests().empty());
}

// GetObjects (bits 1|2|4) and one GetObject per ref (bit 4 alone, synchronous releases).
class GetObjectsLendBoth : public GetObjectsLend, public testing::WithParamInterface<std::uint64_t> {
 protected:
  void Enable() { ASSERT_EQ(recording_driver::EnableFeatures(GetParam()), GetParam()); }
  // The command that fetched the values.
  long long FetchCommand() const { return GetParam() == 4 ? 6 : 34; }
};

TEST_P(GetObjectsLendBoth, EachEntrysLentIdIsReleasedOnceWhenItsViewGoes) {
  Enable();
  std::vector<goray::ArrayView<double>> views = goray::Get<goray::ArrayView<double>>(Refs());
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].data(), first_.data());  // no copy
  EXPECT_EQ(views[1].data(), second_.data());
  EXPECT_EQ(views[0][3], 1.5);
  EXPECT_EQ(views[1][3], 6.0);
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kFirstLent), 0);
  EXPECT_EQ(Releases(kSecondLent), 0);
  std::optional<goray::ArrayView<double>> kept = views[1];
  views.clear();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kFirstLent), 1);
  EXPECT_EQ(Releases(kSecondLent), 0);  // its copy still uses it
  EXPECT_EQ((*kept)[4], 8.0);
  kept.reset();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kFirstLent), 1);
  EXPECT_EQ(Releases(kSecondLent), 1);
  bool fetched = false;
  for (const auto& event : Events()) fetched = fetched || event.command == FetchCommand();
  EXPECT_TRUE(fetched);
}

TEST_P(GetObjectsLendBoth, AnArrayIsACopyAndItsLentIdIsReleasedAtOnce) {
  Enable();
  std::vector<goray::Array<double>> arrays = goray::Get<goray::Array<double>>(Refs());
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kFirstLent), 1);
  EXPECT_EQ(Releases(kSecondLent), 1);
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_NE(arrays[0].data(), first_.data());
  EXPECT_EQ(std::vector<double>(arrays[0].begin(), arrays[0].end()), first_);
  EXPECT_EQ(std::vector<double>(arrays[1].begin(), arrays[1].end()), second_);
}

TEST_P(GetObjectsLendBoth, AFailedEntryHasNoPrefix) {
  Enable();
  answers_[kFirst] = {5, 0, R"({"Message": "ValueError: bad", "Traceback": ""})"};
  try {
    goray::Get<goray::ArrayView<double>>(Refs());
    FAIL() << "no TaskError";
  } catch (const goray::TaskError& error) {
    // An 8-byte prefix taken off would have cut the JSON.
    EXPECT_NE(std::string(error.what()).find("ValueError: bad"), std::string::npos) << error.what();
  }
  goray::detail::FlushSubmissions();
  // GetObjects answered the second entry too: its lent id went with the throw. The
  // per-ref form stopped at the failure and never asked for it.
  EXPECT_EQ(Releases(kSecondLent), GetParam() == 4 ? 0 : 1);
}

TEST_P(GetObjectsLendBoth, AsCompletedItemsViewTheirOwnLentMemory) {
  Enable();
  std::vector<goray::ArrayView<double>> views;
  {
    for (const goray::Completed& done : goray::AsCompleted(Refs())) {
      views.push_back(done.Get<goray::ArrayView<double>>());
    }
  }
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].data(), first_.data());
  EXPECT_EQ(views[1].data(), second_.data());
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kFirstLent), 0);
  views.erase(views.begin());
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kFirstLent), 1);
  EXPECT_EQ(Releases(kSecondLent), 0);
  views.clear();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kSecondLent), 1);
}

INSTANTIATE_TEST_SUITE_P(Features, GetObjectsLendBoth, testing::Values(1 | 2 | 4, 4),
                         [](const testing::TestParamInfo<std::uint64_t>& param) {
                           return param.param == 4 ? std::string("PerRef") : std::string("Batch");
                         });

TEST_F(GetObjectsLend, AnEntryShorterThanTheLentIdIsAProtocolError) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  {
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [](long long command, const std::string&) {
      if (command != 34) return std::make_tuple(0LL, std::string());
      return std::make_tuple(0LL, std::string(4, '\0') + U64(3) + "abc");  // code 0, 3 bytes
    };
  }
  try {
    goray::Get<double>(std::vector<goray::ObjectRef>{goray::ObjectRef(kFirst)});
    FAIL() << "no ProtocolError";
  } catch (const goray::ProtocolError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("a GetObjects entry to a lend request starts with an 8-byte lent id, "
                        "received 3 bytes"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
