// Large byte-vector results handed over (docs/protocol.md §10, "Arrays out of band"):
// RunTaskForPython (34) answers a std::vector<uint8_t|std::byte> of at least 1 MiB
// as ext 72 owned with the bytes flag, at the vector's own memory (moved, no copy),
// until ReleaseArray (36). RunTask (4) and 43 still answer a bin, as do smaller ones.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "abi_call.h"
#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

using abi_call::Call;
using abi_call::U64;
namespace detail = goray::codec::detail;

constexpr std::int64_t kLarge = std::int64_t{1} << 20;  // Python's LARGE_BYTES
constexpr std::int64_t kSmall = kLarge - 1;

const void* g_made = nullptr;  // data() of the last vector Bytes made

std::vector<std::uint8_t> Bytes(std::int64_t n) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7);
  g_made = bytes.data();
  return bytes;
}

std::vector<std::byte> Bytes2(std::int64_t n) {
  std::vector<std::byte> bytes(static_cast<std::size_t>(n), std::byte{0x5a});
  g_made = bytes.data();
  return bytes;
}

const std::vector<std::uint8_t>& Kept() {
  static const std::vector<std::uint8_t> kept(static_cast<std::size_t>(kLarge), 3);
  return kept;
}

struct Holder {
  // A reference result: the vector stays where it is, so it is copied as a bin.
  const std::vector<std::uint8_t>& Get() const { return Kept(); }
};

void* QuietDriver(long long, void*, long long, long long* out_len, long long* ret_code) {
  *out_len = 0;
  *ret_code = 0;
  return nullptr;
}

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Bytes", &Bytes);
  registry.AddTask("Bytes2", &Bytes2);
  registry.AddTask("Pair", [](std::int64_t n) {
    return std::tuple<std::string, std::vector<std::uint8_t>>{"label", Bytes(n)};
  });
  registry.AddTask("Text", [](std::int64_t n) { return std::string(static_cast<std::size_t>(n), 'x'); });
  registry.AddActor<Holder>("Holder", &goray::Constructor<Holder>::Create)
      .AddMethod("Get", &Holder::Get);
}

namespace {

std::uint64_t Little(const std::string& bytes, std::size_t at) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes.at(at + static_cast<std::size_t>(i)));
  }
  return value;
}

// An ext 72 owned with the bytes flag, read from `body` at `at`.
struct Handed {
  std::uint64_t size = 0, address = 0, token = 0;
};

Handed ReadHanded(const std::string& body, std::size_t at) {
  EXPECT_GE(body.size(), at + 31);
  if (body.size() < at + 31) return {};
  EXPECT_EQ(static_cast<unsigned char>(body[at]), 0xc7u);  // ext 8
  EXPECT_EQ(body[at + 1], 28);                               // payload bytes
  EXPECT_EQ(body[at + 2], 72);
  EXPECT_EQ(body[at + 3], 'u');
  EXPECT_EQ(body[at + 4], 1);  // itemsize
  EXPECT_EQ(body[at + 5], 1);  // ndim
  EXPECT_EQ(body[at + 6], 1 | 4);  // owned | bytes
  return {Little(body, at + 7), Little(body, at + 15), Little(body, at + 23)};
}

// A msgpack bin 32 header of `n` bytes (every large bin has one).
std::string Bin32Header(std::int64_t n) {
  const auto size = static_cast<std::uint32_t>(n);
  return std::string{static_cast<char>(0xc6), static_cast<char>(size >> 24),
                     static_cast<char>(size >> 16), static_cast<char>(size >> 8),
                     static_cast<char>(size)};
}

class BytesHandoff : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&QuietDriver); }
  void SetUp() override { ASSERT_EQ(Call(33, "").code, 0); }
  void TearDown() override { EXPECT_EQ(detail::LiveArrayHandoffs(), 0u); }
};

TEST_F(BytesHandoff, ALargeByteVectorIsHandedOverAtItsOwnMemory) {
  abi_call::Result plain = Call(4, abi_call::CallPayload("Bytes", kLarge));
  ASSERT_EQ(plain.code, 0) << plain.body;
  ASSERT_EQ(plain.body.size(), 5 + static_cast<std::size_t>(kLarge));
  EXPECT_EQ(plain.body.substr(0, 5), Bin32Header(kLarge));  // RunTask: a bin, as ever

  abi_call::Result result = Call(34, abi_call::CallPayload("Bytes", kLarge));
  ASSERT_EQ(result.code, 0) << result.body;
  ASSERT_EQ(result.body.size(), 31u);  // the ext alone: the data stayed where it was
  const Handed handed = ReadHanded(result.body, 0);
  EXPECT_EQ(handed.size, static_cast<std::uint64_t>(kLarge));
  EXPECT_EQ(reinterpret_cast<const void*>(handed.address), g_made);  // moved, not copied
  EXPECT_NE(handed.token, 0u);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(handed.address), handed.size),
            plain.body.substr(5));
  ASSERT_EQ(Call(36, U64(handed.token)).code, 0);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
  EXPECT_EQ(Call(36, U64(handed.token)).code, 1);  // released once only
}

TEST_F(BytesHandoff, AStdByteVectorToo) {
  abi_call::Result result = Call(34, abi_call::CallPayload("Bytes2", kLarge));
  ASSERT_EQ(result.code, 0) << result.body;
  const Handed handed = ReadHanded(result.body, 0);
  EXPECT_EQ(reinterpret_cast<const void*>(handed.address), g_made);
  EXPECT_EQ(*reinterpret_cast<const unsigned char*>(handed.address + handed.size - 1), 0x5au);
  ASSERT_EQ(Call(36, U64(handed.token)).code, 0);
}

TEST_F(BytesHandoff, ASmallerOneStaysABin) {
  abi_call::Result result = Call(34, abi_call::CallPayload("Bytes", kSmall));
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(result.body.size(), 5 + static_cast<std::size_t>(kSmall));
  EXPECT_EQ(result.body.substr(0, 5), Bin32Header(kSmall));
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
}

TEST_F(BytesHandoff, AnElementOfATupleIsHandedOver) {
  abi_call::Result result = Call(34, abi_call::CallPayload("Pair", kLarge));
  ASSERT_EQ(result.code, 0) << result.body;
  const std::string label = "\xa5label";
  ASSERT_EQ(result.body.substr(0, label.size()), label);
  ASSERT_EQ(result.body.size(), label.size() + 31);
  const Handed handed = ReadHanded(result.body, label.size());
  EXPECT_EQ(handed.size, static_cast<std::uint64_t>(kLarge));
  EXPECT_EQ(reinterpret_cast<const void*>(handed.address), g_made);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 1u);
  ASSERT_EQ(Call(36, U64(handed.token)).code, 0);

  abi_call::Result plain = Call(4, abi_call::CallPayload("Pair", kLarge));
  ASSERT_EQ(plain.code, 0) << plain.body;
  EXPECT_EQ(plain.body.substr(label.size(), 5), Bin32Header(kLarge));
}

TEST_F(BytesHandoff, AStringStaysAStr) {
  abi_call::Result result = Call(34, abi_call::CallPayload("Text", kLarge));
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(static_cast<unsigned char>(result.body.at(0)), 0xdbu);  // str 32: Python gets str
  EXPECT_EQ(result.body.size(), 5 + static_cast<std::size_t>(kLarge));
}

TEST_F(BytesHandoff, OutOfBandResultsKeepTheBin) {
  // 43 (native readers): the bytes are a bin in the block (no scattered data).
  abi_call::Result result = Call(43, abi_call::CallPayload("Bytes", kLarge));
  ASSERT_EQ(result.code, 0) << result.body;
  ASSERT_EQ(result.body.size(), 8 + 5 + static_cast<std::size_t>(kLarge));
  EXPECT_EQ(result.body.substr(4, 4), std::string(4, '\0'));  // n = 0
  EXPECT_EQ(result.body.substr(8, 5), Bin32Header(kLarge));
}

TEST_F(BytesHandoff, AReferenceResultIsCopiedAsABin) {
  abi_call::Result actor = Call(5, abi_call::CallPayload("Holder"));
  ASSERT_EQ(actor.code, 0) << actor.body;
  const std::uint64_t index = std::stoull(actor.body);
  abi_call::Result result = Call(35, abi_call::CallPayload("Get"), index);
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(result.body.substr(0, 5), Bin32Header(kLarge));
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
  EXPECT_EQ(Call(7, "", index).code, 0);
}

}  // namespace
