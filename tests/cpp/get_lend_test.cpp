// GetObject lending (feature bit 4, docs/protocol.md §10): the request asks to lend
// only with the bit; a lent reply's views point at the driver's memory, and the lent
// id is released once, when the last user of the reply is gone.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "goray/goray.h"
#include "recording_driver.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace goray::detail {
void ShutDownSubmissions() noexcept;  // runtime/src/calls_out/submission_queue.h: what exiting runs
}  // namespace goray::detail

namespace {

using recording_driver::Events;
using recording_driver::LentArray;
using recording_driver::Packed;
using recording_driver::Releases;
using recording_driver::U64;

constexpr std::uint64_t kObject = 5;
constexpr std::uint64_t kLent = 900;

// The JSON of every GetObject request so far.
std::vector<nlohmann::json> GetRequests() {
  std::vector<nlohmann::json> requests;
  for (const auto& event : Events()) {
    if (event.command == 6) requests.push_back(nlohmann::json::parse(event.payload));
  }
  return requests;
}

// Does the request of `command` (GetObject 6, or GetObjects 34 of one id) ask to lend?
bool AsksToLend(long long command, const std::string& payload) {
  if (command == 34) return recording_driver::ParseBatch(payload).lend;
  const nlohmann::json request = nlohmann::json::parse(payload);
  return request.size() == 4 && request[3] == 1;
}

// The driver's answer (code, body) to a single Get: as it is for GetObject, as the
// one entry of a code-0 reply for GetObjects.
std::tuple<long long, std::string> AnswerGet(long long command, long long code, const std::string& body) {
  if (command == 34) return {0LL, recording_driver::GetObjectsEntry(static_cast<std::uint32_t>(code), body)};
  return {code, body};
}

class GetLend : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&recording_driver::Callback); }
  void SetUp() override {
    goray::codec::detail::SetArraysEnabled(true);
    recording_driver::Clear();
    // The object store's memory: what a lent reply points at.
    plasma_.assign(8192, 0.0);
    for (std::size_t i = 0; i < plasma_.size(); ++i) plasma_[i] = 0.5 * static_cast<double>(i);
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [this](long long command, const std::string& payload) {
      if (command != 6 && command != 34) return std::make_tuple(0LL, std::string());
      return AnswerGet(command, 0,
                       AsksToLend(command, payload) ? U64(kLent) + LentArray(plasma_) : Packed(2.5));
    };
  }
  void TearDown() override {
    goray::detail::FlushSubmissions();
    recording_driver::EnableFeatures(0);
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = nullptr;
  }
  void Answer(long long code, std::string body) {
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [code, body](long long command, const std::string&) {
      return command == 6 || command == 34 ? AnswerGet(command, code, body)
                                           : std::make_tuple(0LL, std::string());
    };
  }

  std::vector<double> plasma_;
};

TEST_F(GetLend, TheRequestAsksToLendOnlyWithBit4) {
  // A driver without GetObjects (pipelining off): GetObject's JSON request.
  ASSERT_EQ(recording_driver::EnableFeatures(0), 0u);
  EXPECT_EQ(goray::ObjectRef(kObject).Get<double>(), 2.5);
  ASSERT_EQ(recording_driver::EnableFeatures(4), 4u);
  Answer(0, U64(0) + Packed(3.5));  // nothing lent: the payload as without the bit
  EXPECT_EQ(goray::ObjectRef(kObject).Get<double>(), 3.5);
  const std::vector<nlohmann::json> requests = GetRequests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].dump(), "[5,-1,false]");
  EXPECT_EQ(requests[1].dump(), "[5,-1,false,1]");
  EXPECT_TRUE(recording_driver::BatchRequests().empty());
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(0), 0);  // lent id 0 names nothing
}

TEST_F(GetLend, APipelinedGetIsGetObjectsOfOneIdWithTheLendFlagOnlyWithBit4) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2), 3u);
  EXPECT_EQ(goray::ObjectRef(kObject).Get<double>(), 2.5);
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  Answer(0, U64(0) + Packed(3.5));
  EXPECT_EQ(goray::ObjectRef(kObject).Get<double>(), 3.5);
  EXPECT_TRUE(GetRequests().empty());  // no JSON to parse
  const auto requests = recording_driver::BatchRequests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].ids, std::vector<std::uint64_t>{kObject});
  EXPECT_FALSE(requests[0].lend);
  EXPECT_EQ(requests[1].ids, std::vector<std::uint64_t>{kObject});
  EXPECT_TRUE(requests[1].lend);
}

TEST_F(GetLend, APipelinedGetsTimeoutNamesTheObjectAsGetObjectDid) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  {
    std::lock_guard lock(recording_driver::Driver().mu);
    recording_driver::Driver().answer = [](long long command, const std::string&) {
      // The request as a whole timed out: GetObjects' code 2, as GetObject's.
      return command == 34 ? std::make_tuple(2LL, std::string("timed out waiting for object 5: late"))
                           : std::make_tuple(0LL, std::string());
    };
  }
  try {
    goray::ObjectRef(kObject).Get<double>();
    FAIL() << "no TimeoutError";
  } catch (const goray::TimeoutError& error) {
    EXPECT_NE(std::string(error.what()).find("object 5"), std::string::npos) << error.what();
  }
}

// Pipelining on (release records) and off (ReleaseObject 10): the same lifetime.
class GetLendBoth : public GetLend, public testing::WithParamInterface<std::uint64_t> {};

TEST_P(GetLendBoth, AViewOutlivesTheRefAndTheReplyAndReleasesTheLentIdOnce) {
  ASSERT_EQ(recording_driver::EnableFeatures(GetParam()), GetParam());
  std::optional<goray::ArrayView<double>> view;
  {
    goray::ObjectRef ref(kObject);
    view = ref.Get<goray::ArrayView<double>>();
  }
  ASSERT_EQ(view->size(), 8192);
  EXPECT_EQ(view->data(), plasma_.data());  // no copy
  EXPECT_EQ((*view)[3], 1.5);
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kObject), 1);
  EXPECT_EQ(Releases(kLent), 0);  // the view still uses it
  std::optional<goray::ArrayView<double>> second = *view;
  view.reset();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kLent), 0);
  second.reset();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kLent), 1);
}

TEST_P(GetLendBoth, AnArrayIsACopyAndTheLentIdIsReleasedAtOnce) {
  ASSERT_EQ(recording_driver::EnableFeatures(GetParam()), GetParam());
  goray::Array<double> array = goray::ObjectRef(kObject).Get<goray::Array<double>>();
  EXPECT_NE(array.data(), plasma_.data());
  EXPECT_EQ(std::vector<double>(array.begin(), array.end()), plasma_);
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kLent), 1);
}

TEST_P(GetLendBoth, SeveralValuesShareTheLentReply) {
  ASSERT_EQ(recording_driver::EnableFeatures(GetParam()), GetParam());
  Answer(0, U64(kLent) + LentArray(plasma_) + Packed(7) + LentArray(plasma_));
  auto [first, n, second] =
      goray::ObjectRef(kObject).Get<goray::ArrayView<double>, int, goray::Array<double>>();
  EXPECT_EQ(first.data(), plasma_.data());
  EXPECT_EQ(n, 7);
  EXPECT_NE(second.data(), plasma_.data());
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kLent), 0);
  first = goray::ArrayView<double>();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kLent), 1);
}

INSTANTIATE_TEST_SUITE_P(Features, GetLendBoth, testing::Values(1 | 2 | 4, 4),
                         [](const testing::TestParamInfo<std::uint64_t>& param) {
                           return param.param == 4 ? std::string("Synchronous")
                                                  : std::string("Pipelined");
                         });

TEST_F(GetLend, AFailureHasNoPrefix) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  Answer(5, R"({"Message": "ValueError: bad", "Traceback": ""})");
  try {
    goray::ObjectRef(kObject).Get<double>();
    FAIL() << "no TaskError";
  } catch (const goray::TaskError& error) {
    EXPECT_NE(std::string(error.what()).find("ValueError: bad"), std::string::npos) << error.what();
  }
}

TEST_F(GetLend, AReplyShorterThanTheLentIdIsAProtocolError) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  Answer(0, "abc");
  try {
    goray::ObjectRef(kObject).Get<double>();
    FAIL() << "no ProtocolError";
  } catch (const goray::ProtocolError& error) {
    EXPECT_NE(std::string(error.what()).find("8-byte lent id, received 3 bytes"), std::string::npos)
        << error.what();
  }
}

TEST_F(GetLend, WaitReleasesTheLentIdAtOnce) {
  ASSERT_EQ(recording_driver::EnableFeatures(1 | 2 | 4), 7u);
  goray::ObjectRef(kObject).Wait();
  goray::detail::FlushSubmissions();
  EXPECT_EQ(Releases(kLent), 1);
}

TEST_F(GetLend, AViewDroppedWhileTheProcessExitsReleasesNothing) {
  testing::GTEST_FLAG(death_test_style) = "threadsafe";
  EXPECT_EXIT(
      {
        recording_driver::EnableFeatures(4);  // synchronous releases: ReleaseObject 10
        auto view = goray::ObjectRef(kObject).Get<goray::ArrayView<double>>();
        goray::detail::ShutDownSubmissions();  // the static destructors began
        view = goray::ArrayView<double>();
        std::_Exit(Releases(kObject) == 1 && Releases(kLent) == 0 ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace

// Of runtime/src, this file exercises refs/object_ref.cpp, refs/get_object_request.h most
// directly (docs/testing.md, "Finding a module's tests").
