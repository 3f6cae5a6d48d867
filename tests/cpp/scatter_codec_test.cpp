// Scattered blocks (docs/protocol.md §10, "Arrays out of band"): under a ScatterScope the encoder
// writes each large array as its ext 71 header only and records its data; the
// compact block joined with the datas is byte for byte the inline encoding,
// wherever the arrays sit (top level, tuples, struct fields, containers).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "goray/detail/pins.h"
#include "goray/goray.h"

namespace {
namespace scatter_test {
struct Frame {
  std::string name;
  goray::Array<float> pixels;
  std::int64_t id = 0;
};
}  // namespace scatter_test
}  // namespace

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<::scatter_test::Frame> {
    goray::codec::Packer& operator()(goray::codec::Packer& packer,
                                     const ::scatter_test::Frame& value) const {
      goray::codec::EncodeStructHeader(packer, 3);
      goray::codec::EncodeField(packer, "name", value.name);
      goray::codec::EncodeField(packer, "pixels", value.pixels);
      goray::codec::EncodeField(packer, "id", value.id);
      return packer;
    }
  };
  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace {

using goray::Array;
using goray::ArrayView;
namespace codec = goray::codec;
namespace detail = goray::codec::detail;

constexpr std::size_t kLarge = detail::kOutOfBandFrom;

template <class T>
Array<T> Ramp(std::int64_t n, T start = T{}) {
  Array<T> array = Array<T>::Zeros({n});
  for (std::int64_t i = 0; i < n; ++i) array[i] = static_cast<T>(start + static_cast<T>(i % 251));
  return array;
}

// `prefix` bytes, then the values, as the ordinary (inline) encoding writes them.
template <class... V>
std::string Inline(std::size_t prefix, const V&... values) {
  codec::Buffer buffer(256);
  buffer.write(std::string(prefix, 'p').data(), prefix);
  detail::EncodeTargetScope target(buffer);
  codec::Packer packer(buffer);
  (codec::Encode(packer, values), ...);
  return std::string(buffer.data(), buffer.size());
}

struct ScatteredResult {
  std::string compact;  // from the block start (after the prefix)
  std::vector<detail::ScatteredData> datas;
  bool pinned = false;
  std::string joined;  // prefix + JoinScattered
};

// The same encoding under a ScatterScope whose block starts after `prefix` bytes.
template <class... V>
ScatteredResult Scattered(std::size_t prefix, const V&... values) {
  codec::Buffer buffer(256);
  buffer.write(std::string(prefix, 'p').data(), prefix);
  ScatteredResult result;
  {
    detail::ScatterScope scatter(buffer, prefix);
    {
      detail::EncodeTargetScope target(buffer);
      codec::Packer packer(buffer);
      (codec::Encode(packer, values), ...);
    }
    result.datas = scatter.datas();
    result.pinned = scatter.pinned();
    std::size_t total = 0;
    for (const auto& data : result.datas) total += data.length;
    EXPECT_EQ(scatter.left_out(), total);
  }
  result.compact.assign(buffer.data() + prefix, buffer.size() - prefix);
  codec::Buffer joined(256);
  joined.write(buffer.data(), prefix);
  detail::JoinScattered(result.compact, result.datas, joined);
  result.joined.assign(joined.data(), joined.size());
  return result;
}

class ScatterCodec : public testing::Test {
 protected:
  void SetUp() override { detail::SetArraysEnabled(true); }
  void TearDown() override { detail::SetArraysEnabled(false); }
};

TEST_F(ScatterCodec, OneTopLevelArrayLeavesItsDataOut) {
  const Array<double> array = Ramp<double>(kLarge / 8 * 3);  // 192 KiB
  for (std::size_t prefix : {0, 8, 13}) {
    SCOPED_TRACE(prefix);
    ScatteredResult result = Scattered(prefix, array);
    ASSERT_EQ(result.datas.size(), 1u);
    const detail::ScatteredData& data = result.datas[0];
    EXPECT_EQ(data.address, array.data());
    EXPECT_EQ(data.length, array.ByteSize());
    EXPECT_EQ(data.owner, array.owner());  // the Array's own memory, no copy
    EXPECT_EQ(data.offset, result.compact.size());  // the header is all there is
    EXPECT_LT(result.compact.size(), 6u + 4u + 8u + 64u);
    EXPECT_FALSE(result.pinned);
    EXPECT_EQ(result.joined, Inline(prefix, array));
    // The data lands 64-byte aligned in the joined buffer, as inline.
    EXPECT_EQ((prefix + data.offset) % 64, 0u);
    EXPECT_EQ(detail::CountScatteredValues(result.compact, result.datas), 1u);
  }
}

TEST_F(ScatterCodec, ArraysInATupleLeaveTheirDataOutInOrder) {
  const auto value = std::make_tuple(Ramp<std::int32_t>(kLarge / 4), std::string("between"),
                                     Ramp<double>(kLarge / 8 + 3, 1.0));
  ScatteredResult result = Scattered(8, value);
  ASSERT_EQ(result.datas.size(), 2u);
  EXPECT_EQ(result.datas[0].address, std::get<0>(value).data());
  EXPECT_EQ(result.datas[1].address, std::get<2>(value).data());
  EXPECT_LT(result.datas[0].offset, result.datas[1].offset);
  EXPECT_EQ(result.joined, Inline(8, value));
  EXPECT_EQ(detail::CountScatteredValues(result.compact, result.datas), 1u);
}

TEST_F(ScatterCodec, AnArrayInAStructField) {
  const scatter_test::Frame frame{"frame", Ramp<float>(kLarge), 7};
  ScatteredResult result = Scattered(0, frame, std::int64_t{42});
  ASSERT_EQ(result.datas.size(), 1u);
  EXPECT_EQ(result.datas[0].address, frame.pixels.data());
  EXPECT_EQ(result.joined, Inline(0, frame, std::int64_t{42}));
  EXPECT_EQ(detail::CountScatteredValues(result.compact, result.datas), 2u);
}

TEST_F(ScatterCodec, ArraysInAVector) {
  std::vector<Array<std::uint8_t>> arrays;
  arrays.push_back(Ramp<std::uint8_t>(kLarge));
  arrays.push_back(Ramp<std::uint8_t>(10));
  arrays.push_back(Ramp<std::uint8_t>(kLarge + 1));
  ScatteredResult result = Scattered(8, arrays);
  ASSERT_EQ(result.datas.size(), 2u);
  EXPECT_EQ(result.datas[0].address, arrays[0].data());
  EXPECT_EQ(result.datas[1].address, arrays[2].data());
  EXPECT_EQ(result.joined, Inline(8, arrays));
}

TEST_F(ScatterCodec, SmallArraysStayInlineAmongLargeOnes) {
  const Array<double> small = Ramp<double>(kLarge / 8 - 1);  // one element short of large
  const Array<double> large = Ramp<double>(kLarge / 8);     // exactly kOutOfBandFrom bytes
  ScatteredResult result = Scattered(8, small, large, small, large);
  ASSERT_EQ(result.datas.size(), 2u);
  EXPECT_EQ(result.datas[0].length, kLarge);
  EXPECT_EQ(result.datas[1].length, kLarge);
  // The small arrays' data is in the compact block.
  EXPECT_GT(result.compact.size(), 2 * small.ByteSize());
  EXPECT_EQ(result.joined, Inline(8, small, large, small, large));
  EXPECT_EQ(detail::CountScatteredValues(result.compact, result.datas), 4u);
}

TEST_F(ScatterCodec, NothingLargeLeavesTheBlockAsItIs) {
  const Array<double> small = Ramp<double>(100);
  ScatteredResult result = Scattered(8, small, std::string("x"));
  EXPECT_TRUE(result.datas.empty());
  EXPECT_EQ(std::string(8, 'p') + result.compact, Inline(8, small, std::string("x")));
}

TEST_F(ScatterCodec, AnArrayViewIsBorrowedWithItsOwner) {
  const Array<std::int64_t> array = Ramp<std::int64_t>(kLarge / 8 * 2);
  const ArrayView<std::int64_t> borrowed(array.data(), {2, static_cast<std::int64_t>(kLarge / 8)});
  auto keeper = std::make_shared<Array<std::int64_t>>(array);
  const ArrayView<std::int64_t> owned(keeper->data(), keeper->shape(), keeper);
  ScatteredResult result = Scattered(0, borrowed, owned);
  ASSERT_EQ(result.datas.size(), 2u);
  EXPECT_EQ(result.datas[0].address, array.data());
  EXPECT_EQ(result.datas[0].owner, nullptr);  // borrowed: valid while the view is
  EXPECT_EQ(result.datas[1].address, keeper->data());
  EXPECT_EQ(result.datas[1].owner, keeper);
  EXPECT_EQ(result.joined, Inline(0, borrowed, owned));
}

// std::span<const T> is a parameter type only (it has no encoding): a span's memory is
// passed on as an ArrayView over it, which scatters as any view does.
TEST_F(ScatterCodec, AViewOverASpan) {
  const std::vector<double> values(kLarge / 8 + 5, 2.5);
  const std::span<const double> span(values);
  const ArrayView<double> view(span.data(), {static_cast<std::int64_t>(span.size())});
  ScatteredResult result = Scattered(8, view);
  ASSERT_EQ(result.datas.size(), 1u);
  EXPECT_EQ(result.datas[0].address, values.data());
  EXPECT_EQ(result.joined, Inline(8, view));
}

TEST_F(ScatterCodec, UnownedDataIsCopiedWhenAsked) {
  const std::vector<double> values(kLarge / 8, 1.5);
  const ArrayView<double> view(values.data(), {static_cast<std::int64_t>(values.size())});
  codec::Buffer buffer(256);
  detail::ScatterScope scatter(buffer, 0, detail::ScatterScope::Unowned::kCopy);
  {
    detail::EncodeTargetScope target(buffer);
    codec::Packer packer(buffer);
    codec::Encode(packer, view);
  }
  ASSERT_EQ(scatter.datas().size(), 1u);
  const detail::ScatteredData& data = scatter.datas()[0];
  ASSERT_NE(data.owner, nullptr);
  EXPECT_NE(data.address, values.data());
  EXPECT_EQ(data.address, data.owner.get());
  EXPECT_EQ(std::memcmp(data.address, values.data(), kLarge), 0);
}

TEST_F(ScatterCodec, AnotherBufferIsNotScattered) {
  const Array<double> array = Ramp<double>(kLarge / 8);
  codec::Buffer scattered(256);
  codec::Buffer other(256);
  detail::ScatterScope scatter(scattered);
  {
    detail::EncodeTargetScope target(other);  // e.g. a Put while the scope lives
    codec::Packer packer(other);
    codec::Encode(packer, array);
  }
  EXPECT_TRUE(scatter.datas().empty());
  EXPECT_EQ(std::string(other.data(), other.size()), Inline(0, array));
}

TEST_F(ScatterCodec, BeforeEnableArraysNothingScatters) {
  detail::SetArraysEnabled(false);
  const Array<std::uint8_t> array = Ramp<std::uint8_t>(kLarge);
  ScatteredResult result = Scattered(0, array);
  EXPECT_TRUE(result.datas.empty());
  EXPECT_EQ(result.joined, Inline(0, array));
}

TEST_F(ScatterCodec, PinnedReportsIdsWrittenIntoTheBuffer) {
  codec::Buffer buffer(256);
  goray::detail::Pins pins;
  goray::detail::PinScope pin_scope(pins);
  const Array<double> first = Ramp<double>(kLarge / 8);
  const Array<double> second = Ramp<double>(kLarge / 8);
  detail::ScatterScope scatter(buffer);
  {
    detail::EncodeTargetScope target(buffer);
    codec::Packer packer(buffer);
    codec::Encode(packer, first);
    EXPECT_FALSE(scatter.pinned());
    goray::detail::Pin(std::make_shared<int>(1));  // what encoding an ObjectRef does
    EXPECT_TRUE(scatter.pinned());
    codec::Encode(packer, second);  // after a pin: inline
  }
  EXPECT_TRUE(scatter.pinned());  // still, once the target scope ended
  ASSERT_EQ(scatter.datas().size(), 1u);
  EXPECT_EQ(scatter.datas()[0].address, first.data());
  codec::Buffer joined(256);
  detail::JoinScattered(std::string_view(buffer.data(), buffer.size()), scatter.datas(), joined);
  EXPECT_EQ(std::string(joined.data(), joined.size()), Inline(0, first, second));
}

TEST_F(ScatterCodec, PinsOutsideTheBufferDoNotCount) {
  codec::Buffer buffer(256);
  codec::Buffer other(256);
  goray::detail::Pins pins;
  goray::detail::PinScope pin_scope(pins);
  detail::ScatterScope scatter(buffer);
  {
    detail::EncodeTargetScope target(other);
    goray::detail::Pin(std::make_shared<int>(1));
  }
  goray::detail::Pin(std::make_shared<int>(2));  // no target at all (the callee running)
  EXPECT_FALSE(scatter.pinned());
}

TEST_F(ScatterCodec, CountRejectsMalformedBlocks) {
  const Array<double> array = Ramp<double>(kLarge / 8);
  ScatteredResult result = Scattered(0, array);
  // Without its table the header claims data that is not there.
  EXPECT_THROW(detail::CountScatteredValues(result.compact, {}), std::invalid_argument);
  std::vector<detail::ScatteredData> wrong = result.datas;
  wrong[0].offset = 0;
  EXPECT_THROW(detail::CountScatteredValues(result.compact, wrong), std::invalid_argument);
  EXPECT_THROW(detail::CountScatteredValues("\x92\x01", {}), std::invalid_argument);
  EXPECT_EQ(detail::CountScatteredValues("", {}), 0u);
  codec::Buffer out;
  wrong[0].offset = result.compact.size() + 1;
  EXPECT_THROW(detail::JoinScattered(result.compact, wrong, out), std::invalid_argument);
}

}  // namespace
