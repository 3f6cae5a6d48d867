// goray::ForEachRow (goray/rows.h): an exception thrown for one row leaves the task
// naming that row in its code-5 reply (docs/protocol.md §9, the member's "row"), as the
// same exception (type and object); an exception caught before it leaves, or thrown
// outside the rows, names none.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "abi_call.h"
#include "goray/detail/driver_call.h"
#include "goray/goray.h"
#include "goray/rows.h"
#include "test_application.h"

namespace {

// Sums the rows, throwing for the first negative one.
int64_t SumRows(std::vector<int64_t> rows) {
  int64_t sum = 0;
  goray::ForEachRow(rows.size(), [&](std::size_t row) {
    if (rows[row] < 0) throw std::domain_error("negative value " + std::to_string(rows[row]));
    sum += rows[row];
  });
  return sum;
}

// A batch of batches: the inner batch's row is the one named.
int64_t SumNested(std::vector<std::vector<int64_t>> batches) {
  int64_t sum = 0;
  goray::ForEachRow(batches.size(), [&](std::size_t batch) { sum += SumRows(batches[batch]); });
  return sum;
}

// A row's exception caught inside the task, then another thrown outside the rows.
int64_t CatchThenThrow(std::vector<int64_t> rows) {
  try {
    SumRows(rows);
  } catch (const std::domain_error&) {
  }
  throw std::runtime_error("after the rows");
}

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("SumRows", &SumRows);
  registry.AddTask("SumNested", &SumNested);
  registry.AddTask("CatchThenThrow", &CatchThenThrow);
}

namespace {

using abi_call::Call;
using abi_call::CallPayload;

nlohmann::json Failure(std::string payload) {
  abi_call::Result result = Call(4, std::move(payload));
  EXPECT_EQ(result.code, 5) << result.body;
  return nlohmann::json::parse(result.body);
}

TEST(FailedRows, TheRowAnExceptionWasThrownForIsNamed) {
  nlohmann::json failure = Failure(CallPayload("SumRows", std::vector<int64_t>{1, 2, -3, -4}));
  EXPECT_EQ(failure["Error"], nlohmann::json::parse(R"x({"type": "std::domain_error",
      "message": "negative value -3", "task": "SumRows", "row": 2})x"));
  EXPECT_EQ(failure["Message"], "row 2 failed: std::domain_error: negative value -3 (task SumRows)");
  abi_call::Result fine = Call(4, CallPayload("SumRows", std::vector<int64_t>{1, 2}));
  EXPECT_EQ(fine.code, 0) << fine.body;
}

TEST(FailedRows, AnInnerBatchsRowIsKept) {
  nlohmann::json failure = Failure(CallPayload("SumNested", std::vector<std::vector<int64_t>>{{1}, {2, 3, -1}}));
  EXPECT_EQ(failure["Error"]["row"], 2);
}

TEST(FailedRows, AnExceptionNotThrownForARowNamesNone) {
  nlohmann::json failure = Failure(CallPayload("CatchThenThrow", std::vector<int64_t>{-1}));
  EXPECT_FALSE(failure["Error"].contains("row")) << failure.dump();
  EXPECT_EQ(failure["Message"], "std::runtime_error: after the rows (task CatchThenThrow)");
  // Nor does the next failure of the thread, after one that named its row.
  Failure(CallPayload("SumRows", std::vector<int64_t>{-1}));
  EXPECT_FALSE(Failure(CallPayload("CatchThenThrow", std::vector<int64_t>{1}))["Error"].contains("row"));
}

TEST(FailedRows, ACppCallersTaskErrorNamesTheRow) {
  // The payload a C++ caller's Get reads for such a failure (its member's "row").
  try {
    goray::detail::ThrowDriverFailure(5, R"x({"Message": "row 2 failed: std::domain_error: negative (task SumRows)",
        "Traceback": "", "Error": {"type": "std::domain_error", "message": "negative",
        "task": "SumRows", "row": 2}})x", "object 1");
    ADD_FAILURE() << "no exception";
  } catch (const goray::TaskError& error) {
    EXPECT_EQ(error.message(), "row 2 failed: negative");
    EXPECT_STREQ(error.what(), "std::domain_error: row 2 failed: negative (task SumRows)");
  }
}

TEST(FailedRows, TheExceptionLeavesAsItWas) {
  std::vector<int64_t> rows{0, -7};
  try {
    goray::ForEachRow(rows.size(), [&](std::size_t row) {
      if (rows[row] < 0) throw std::domain_error("negative");
    });
    ADD_FAILURE() << "no exception";
  } catch (const std::domain_error& error) {
    EXPECT_STREQ(error.what(), "negative");
  }
}

}  // namespace
