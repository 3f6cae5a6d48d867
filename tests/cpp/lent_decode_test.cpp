// Decoding a lent reply (docs/protocol.md §10, "Arrays out of band"): inside a
// SourceBufferScope with `lent`, an ext 72 points into memory the driver keeps alive as
// long as the scope's owner: ArrayView<T> and std::span<const T> view it and keep the
// owner; Array<T> and std::vector<T> copy. Without `lent` every type copies, as before.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "array_test_util.h"
#include "goray/goray.h"

namespace {

using array_test::DecodeFromString;
using array_test::Ext32;
using array_test::Ext72Payload;
using goray::Array;
using goray::ArrayView;
namespace detail = goray::codec::detail;

class LentDecode : public testing::Test {
 protected:
  void SetUp() override { detail::SetArraysEnabled(true); }
  void TearDown() override { detail::SetArraysEnabled(false); }

  // The driver's memory (an object store buffer) and a reply naming it as ext 72 lent.
  std::vector<double> store_ = std::vector<double>(1000, 0.0);
  std::string reply_ = [this] {
    for (std::size_t i = 0; i < store_.size(); ++i) store_[i] = static_cast<double>(i) / 4;
    return Ext32(72, Ext72Payload('f', 8, {1000}, store_.data(), 0, /*flags: lent*/ 2));
  }();
  std::shared_ptr<void> owner_ = std::make_shared<int>(0);  // the reply buffer's owner
};

TEST_F(LentDecode, AViewPointsIntoTheLentMemoryAndKeepsTheReplysOwner) {
  detail::SourceBufferScope source(owner_, reply_, /*lent=*/true);
  const auto view = DecodeFromString<ArrayView<double>>(reply_);
  EXPECT_EQ(view.data(), store_.data());  // no copy
  EXPECT_EQ(view.shape(), std::vector<std::int64_t>{1000});
  EXPECT_EQ(view.owner(), owner_);
  EXPECT_EQ(view[8], 2.0);
  EXPECT_EQ(owner_.use_count(), 3);  // this test, the scope, the view
}

TEST_F(LentDecode, ASpanPointsIntoTheLentMemory) {
  detail::SourceBufferScope source(owner_, reply_, /*lent=*/true);
  const auto span_argument = DecodeFromString<detail::SpanArgument<double>>(reply_);
  const std::span<const double> span = span_argument;
  EXPECT_EQ(span.data(), store_.data());
  EXPECT_EQ(span.size(), 1000u);
}

TEST_F(LentDecode, AnArrayAndAVectorCopy) {
  detail::SourceBufferScope source(owner_, reply_, /*lent=*/true);
  const auto array = DecodeFromString<Array<double>>(reply_);
  EXPECT_NE(array.data(), store_.data());  // an Array owns writable memory
  EXPECT_EQ(array[8], 2.0);
  const auto vector = DecodeFromString<std::vector<double>>(reply_);
  EXPECT_NE(vector.data(), store_.data());
  EXPECT_EQ(vector[8], 2.0);
  EXPECT_EQ(owner_.use_count(), 2);  // neither keeps the reply
}

TEST_F(LentDecode, WithoutTheFlagAViewCopies) {
  detail::SourceBufferScope source(owner_, reply_);
  const auto view = DecodeFromString<ArrayView<double>>(reply_);
  EXPECT_NE(view.data(), store_.data());
  EXPECT_EQ(view[8], 2.0);
  EXPECT_NE(view.owner(), owner_);
}

TEST_F(LentDecode, OnlyTheInnermostReplyLends) {
  detail::SourceBufferScope outer(owner_, reply_, /*lent=*/true);
  const std::string inner_bytes = reply_;
  detail::SourceBufferScope inner(std::make_shared<int>(1), inner_bytes);
  const auto view = DecodeFromString<ArrayView<double>>(inner_bytes);
  EXPECT_NE(view.data(), store_.data());
}

}  // namespace
