// Results out of band through the C ABI (docs/protocol.md §10, "Arrays out of band"): Py2Native 43
// RunTaskOutOfBand and 44 ActorMethodCallOutOfBand answer a value count, a table of
// (offset, length, address, token) and the compact block; joined, it is what 4 / 6
// answer; the tokens are the handoff tokens ReleaseArray (36) frees.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
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
using goray::Array;
using goray::ArrayView;
namespace detail = goray::codec::detail;

constexpr std::int64_t kLargeDoubles = 16384;  // 128 KiB: over kOutOfBandFrom

const void* g_made = nullptr;  // data() of the last array Make returned

Array<double> Make(std::int64_t n) {
  Array<double> array = Array<double>::Zeros({n});
  for (std::int64_t i = 0; i < n; ++i) array[i] = static_cast<double>(i) * 0.5;
  g_made = array.data();
  return array;
}

const std::vector<double>& Static() {
  static const std::vector<double> values(kLargeDoubles, 4.25);
  return values;
}

// Each item a fresh large array, moved into the stream.
goray::Generator<Array<double>> Items(std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    Array<double> item = Array<double>::Zeros({kLargeDoubles});
    for (std::int64_t k = 0; k < kLargeDoubles; ++k) item[k] = static_cast<double>(i + k);
    co_yield std::move(item);
  }
}

// An array kept alive by whoever holds this pointer (the owner of the views made of it).
const std::shared_ptr<Array<double>>& Kept() {
  static const auto kept = std::make_shared<Array<double>>(Make(kLargeDoubles));
  return kept;
}

struct Holder {
  Array<double> Data(std::int64_t n) const { return Make(n); }
};

void* QuietDriver(long long, void*, long long, long long* out_len, long long* ret_code) {
  *out_len = 0;
  *ret_code = 0;
  return nullptr;
}

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Make", &Make);
  registry.AddTask("Two", [](std::int64_t n) {
    Array<std::int32_t> second = Array<std::int32_t>::Zeros({n, 2});
    for (std::int64_t i = 0; i < second.size(); ++i) second[i] = static_cast<std::int32_t>(i);
    return std::tuple<Array<double>, std::string, Array<std::int32_t>>{Make(n), "between",
                                                                       std::move(second)};
  });
  registry.AddTask("StaticView", [] {
    return ArrayView<double>(Static().data(), {static_cast<std::int64_t>(Static().size())});
  });
  registry.AddTask("Nothing", [] {});
  registry.AddTask("Items", &Items);
  registry.AddTask("OwnedView", [] {
    return ArrayView<double>(Kept()->data(), Kept()->shape(), Kept());
  });
  registry.AddTask("Fails", [](std::int64_t n) -> Array<double> {
    Make(n);
    throw std::runtime_error("no array today");
  });
  // The second result cannot be encoded (33 dimensions) after the first was left out.
  registry.AddTask("HalfEncodable", [](std::int64_t n) {
    return std::tuple<Array<double>, Array<double>>{
        Make(n), Array<double>::Zeros(std::vector<std::int64_t>(33, 1))};
  });
  registry.AddTask("ArrayThenRef", [](std::int64_t n) {
    return std::tuple<Array<double>, goray::ObjectRef>{Make(n), goray::ObjectRef(9)};
  });
  registry.AddTask("RefThenArray", [](std::int64_t n) {
    return std::tuple<goray::ObjectRef, Array<double>>{goray::ObjectRef(9), Make(n)};
  });
  registry.AddActor<Holder>("Holder", &goray::Constructor<Holder>::Create)
      .AddMethod("Data", &Holder::Data);
}

namespace {

std::string TaskPayload(std::string_view name, std::int64_t n) {
  return abi_call::CallPayload(name, n);
}

std::string NoArgs(std::string_view name) { return abi_call::CallPayload(name); }

std::uint64_t Little(const std::string& bytes, std::size_t at, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes.at(at + static_cast<std::size_t>(i)));
  }
  return value;
}

struct Entry {
  std::uint64_t offset, length, address, token;
};

// A 43/44 reply read back, with the block joined from its compact block and the data
// at the addresses (alive until ReleaseArray).
struct OutOfBand {
  std::uint32_t count = 0;
  std::vector<Entry> entries;
  std::string compact;
  std::string joined;
};

OutOfBand Parse(const std::string& body) {
  OutOfBand reply;
  EXPECT_GE(body.size(), 8u);
  if (body.size() < 8) return reply;
  reply.count = static_cast<std::uint32_t>(Little(body, 0, 4));
  const std::uint64_t n = Little(body, 4, 4);
  EXPECT_GE(body.size(), 8 + 32 * n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::size_t at = 8 + 32 * i;
    reply.entries.push_back({Little(body, at, 8), Little(body, at + 8, 8),
                             Little(body, at + 16, 8), Little(body, at + 24, 8)});
  }
  reply.compact = body.substr(8 + 32 * n);
  std::size_t from = 0;
  for (const Entry& entry : reply.entries) {
    EXPECT_LE(entry.offset, reply.compact.size());
    reply.joined += reply.compact.substr(from, entry.offset - from);
    reply.joined.append(reinterpret_cast<const char*>(entry.address), entry.length);
    from = entry.offset;
  }
  reply.joined += reply.compact.substr(from);
  return reply;
}

void Release(const OutOfBand& reply) {
  for (const Entry& entry : reply.entries) {
    abi_call::Result released = Call(36, U64(entry.token));
    EXPECT_EQ(released.code, 0) << released.body;
  }
}

class OutOfBandAbi : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&QuietDriver); }
  void SetUp() override { ASSERT_EQ(Call(33, "").code, 0); }
  void TearDown() override { EXPECT_EQ(detail::LiveArrayHandoffs(), 0u); }
};

TEST_F(OutOfBandAbi, ALargeResultIsHandedOverByAddressWithoutACopy) {
  abi_call::Result plain = Call(4, TaskPayload("Make", kLargeDoubles));
  ASSERT_EQ(plain.code, 0) << plain.body;
  abi_call::Result result = Call(43, TaskPayload("Make", kLargeDoubles));
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  EXPECT_EQ(reply.count, 1u);
  ASSERT_EQ(reply.entries.size(), 1u);
  const Entry& entry = reply.entries[0];
  EXPECT_EQ(entry.length, static_cast<std::uint64_t>(kLargeDoubles) * 8);
  EXPECT_EQ(entry.offset, reply.compact.size());  // the header only
  EXPECT_EQ(reinterpret_cast<const void*>(entry.address), g_made);  // the Array's own memory
  EXPECT_NE(entry.token, 0u);
  EXPECT_EQ(reply.joined, plain.body);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 1u);
  Release(reply);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
  EXPECT_EQ(Call(36, U64(entry.token)).code, 1);  // released once only
}

TEST_F(OutOfBandAbi, ATupleOfTwoLargeArrays) {
  abi_call::Result plain = Call(4, TaskPayload("Two", kLargeDoubles));
  ASSERT_EQ(plain.code, 0) << plain.body;
  abi_call::Result result = Call(43, TaskPayload("Two", kLargeDoubles));
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  EXPECT_EQ(reply.count, 3u);
  ASSERT_EQ(reply.entries.size(), 2u);
  EXPECT_LT(reply.entries[0].offset, reply.entries[1].offset);
  EXPECT_NE(reply.entries[0].token, reply.entries[1].token);
  EXPECT_EQ(reply.joined, plain.body);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 2u);
  Release(reply);
}

TEST_F(OutOfBandAbi, ASmallArrayStaysInline) {
  abi_call::Result plain = Call(4, TaskPayload("Make", 100));
  abi_call::Result result = Call(43, TaskPayload("Make", 100));
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  EXPECT_EQ(reply.count, 1u);
  EXPECT_TRUE(reply.entries.empty());
  EXPECT_EQ(reply.compact, plain.body);
}

TEST_F(OutOfBandAbi, NoResultsIsACountOfZero) {
  abi_call::Result result = Call(43, NoArgs("Nothing"));
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(result.body, std::string(8, '\0'));
}

// A generator answers the list of its items, as 4 does; each item's data stays alive under
// its token after the stream moved on.
TEST_F(OutOfBandAbi, AGeneratorsItemsScatterInItsList) {
  abi_call::Result plain = Call(4, TaskPayload("Items", 3));
  ASSERT_EQ(plain.code, 0) << plain.body;
  abi_call::Result result = Call(43, TaskPayload("Items", 3));
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  EXPECT_EQ(reply.count, 1u);
  EXPECT_EQ(reply.entries.size(), 3u);
  EXPECT_EQ(reply.joined, plain.body);
  Release(reply);
}

// A view that keeps its memory alive (e.g. one decoded from a lent reply) is handed over
// without a copy, by 43 as by 34 (ext 72 owned).
TEST_F(OutOfBandAbi, AViewWithAnOwnerIsHandedOverWithoutACopy) {
  abi_call::Result result = Call(43, NoArgs("OwnedView"));
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  ASSERT_EQ(reply.entries.size(), 1u);
  EXPECT_EQ(reinterpret_cast<const void*>(reply.entries[0].address), Kept()->data());
  Release(reply);
  abi_call::Result handed = Call(34, NoArgs("OwnedView"));
  ASSERT_EQ(handed.code, 0) << handed.body;
  msgpack::object_handle value = msgpack::unpack(handed.body.data(), handed.body.size());
  ASSERT_EQ(value.get().type, msgpack::type::EXT);
  ASSERT_EQ(value.get().via.ext.type(), 72);
  const char* ext = value.get().via.ext.data();
  EXPECT_EQ(Little(std::string(ext, 4 + 8 + 16), 12, 8),
            reinterpret_cast<std::uintptr_t>(Kept()->data()));  // after kind..flags, shape
  const std::uint64_t token = Little(std::string(ext, 4 + 8 + 16), 20, 8);
  EXPECT_EQ(Call(36, U64(token)).code, 0);
}

TEST_F(OutOfBandAbi, AViewWithoutAnOwnerIsHandedOverAsACopy) {
  abi_call::Result plain = Call(4, NoArgs("StaticView"));
  abi_call::Result result = Call(43, NoArgs("StaticView"));
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  ASSERT_EQ(reply.entries.size(), 1u);
  EXPECT_NE(reinterpret_cast<const void*>(reply.entries[0].address), Static().data());
  EXPECT_EQ(reply.joined, plain.body);
  Release(reply);
}

TEST_F(OutOfBandAbi, AFailingCallAnswersAs4AndKeepsNoToken) {
  abi_call::Result plain = Call(4, TaskPayload("Fails", kLargeDoubles));
  abi_call::Result result = Call(43, TaskPayload("Fails", kLargeDoubles));
  EXPECT_EQ(result.code, 5);
  EXPECT_EQ(result.body, plain.body);
  abi_call::Result half = Call(43, TaskPayload("HalfEncodable", kLargeDoubles));
  EXPECT_EQ(half.code, 5) << half.body;
  EXPECT_NE(half.body.find("33 dimensions"), std::string::npos) << half.body;
  abi_call::Result unknown = Call(43, TaskPayload("NoSuchTask", 1));
  EXPECT_EQ(unknown.code, 5);
  for (long long command : {43LL, 44LL}) {  // a malformed request, as 4 / 6 answer it
    abi_call::Result malformed = Call(command, "");
    abi_call::Result as_plain = Call(command == 43 ? 4 : 6, "");
    EXPECT_EQ(malformed.code, as_plain.code);
    EXPECT_EQ(malformed.body, as_plain.body);
  }
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
}

TEST_F(OutOfBandAbi, ResultsNamingRefsAreNeverScattered) {
  ASSERT_EQ(Call(37, U64(2)).code, 0);  // refs inside values
  for (const char* task : {"ArrayThenRef", "RefThenArray"}) {
    SCOPED_TRACE(task);
    abi_call::Result plain = Call(4, TaskPayload(task, kLargeDoubles));
    ASSERT_EQ(plain.code, 0) << plain.body;
    abi_call::Result result = Call(43, TaskPayload(task, kLargeDoubles));
    ASSERT_EQ(result.code, 0) << result.body;
    OutOfBand reply = Parse(result.body);
    EXPECT_EQ(reply.count, 2u);
    EXPECT_TRUE(reply.entries.empty());
    EXPECT_EQ(reply.compact, plain.body);
    EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
  }
  ASSERT_EQ(Call(37, U64(0)).code, 0);
}

TEST_F(OutOfBandAbi, AnActorMethodsResultsToo) {
  abi_call::Result created = Call(5, NoArgs("Holder"));
  ASSERT_EQ(created.code, 0) << created.body;
  const std::uint64_t instance = std::stoull(created.body);
  abi_call::Result plain = Call(6, TaskPayload("Data", kLargeDoubles), instance);
  ASSERT_EQ(plain.code, 0) << plain.body;
  abi_call::Result result = Call(44, TaskPayload("Data", kLargeDoubles), instance);
  ASSERT_EQ(result.code, 0) << result.body;
  OutOfBand reply = Parse(result.body);
  EXPECT_EQ(reply.count, 1u);
  ASSERT_EQ(reply.entries.size(), 1u);
  EXPECT_EQ(reinterpret_cast<const void*>(reply.entries[0].address), g_made);
  EXPECT_EQ(reply.joined, plain.body);
  Release(reply);
  abi_call::Result missing = Call(44, TaskPayload("Nope", 1), instance);
  EXPECT_EQ(missing.code, Call(6, TaskPayload("Nope", 1), instance).code);
  EXPECT_EQ(Call(7, "", instance).code, 0);
  abi_call::Result closed = Call(44, TaskPayload("Data", 1), instance);
  EXPECT_EQ(closed.code, 1);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
}

}  // namespace

// Of runtime/src, this file exercises codec/array_handoff.cpp, calls_in/results_reply.cpp most
// directly (docs/testing.md, "Finding a module's tests").
