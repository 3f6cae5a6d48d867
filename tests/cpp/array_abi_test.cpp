// Arrays through the C ABI: commands 33 EnableArrays, 34 RunTaskForPython,
// 35 ActorMethodCallForPython, 36 ReleaseArray; zero-copy handoff of results
// and its tokens; argument errors naming task and position; Put, Get and
// typed calls of arrays through a fake driver callback.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "array_test_util.h"
#include "goray/abi.h"
#include "test_application.h"

namespace {

using array_test::AppendLittle;
using array_test::Bytes;
using array_test::Ext32;
using array_test::Ext71Payload;
using array_test::Ext72Payload;
using goray::Array;
using goray::ArrayView;
namespace detail = goray::codec::detail;

std::atomic<const void*> g_made{nullptr};  // data() of the last Array a task returned

Array<double> Make(int64_t n) {
  Array<double> array = Array<double>::Zeros({n});
  for (int64_t i = 0; i < n; ++i) array[i] = static_cast<double>(i);
  g_made = array.data();
  return array;
}

struct Store {
  Store() : data(std::vector<int32_t>{1, 2, 3, 4, 5, 6}, {2, 3}) {}
  Array<int32_t> Data() const { return data; }
  Array<int32_t> data;
};

// The fake driver: tests set how it answers; it records what it returned.
std::function<std::tuple<long long, std::string>(long long, std::string_view)> g_driver;
std::atomic<void*> g_get_reply{nullptr};  // the last GetObject reply buffer

void* FakeCallback(long long request, void* in_data, long long in_len, long long* out_len,
                   long long* ret_code) {
  std::string_view input(static_cast<char*>(in_data), in_data ? static_cast<size_t>(in_len) : 0);
  auto [code, body] = g_driver(request, input);
  *ret_code = code;
  *out_len = static_cast<long long>(body.size());
  // 64-byte aligned, as a driver might; ext 71 alignment is relative to it.
  void* out = std::aligned_alloc(64, (body.size() + 63) / 64 * 64 + 64);
  std::memcpy(out, body.data(), body.size());
  if (request == 6) g_get_reply = out;
  return out;
}

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Make", &Make);
  registry.AddTask("Scale", [](ArrayView<double> a, double k) {
    Array<double> out = Array<double>::Zeros(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) out[i] = a[i] * k;
    return out;
  });
  registry.AddTask("ViewAddress", [](ArrayView<double> a) {
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(a.data()));
  });
  registry.AddTask("SumSpan", [](std::span<const double> xs) {
    double total = 0;
    for (double x : xs) total += x;
    return total;
  });
  registry.AddTask("SumVector", [](const std::vector<double>& xs) {
    double total = 0;
    for (double x : xs) total += x;
    return total;
  });
  registry.AddTask("First", [](const Array<double>& a) { return a.size() ? a[0] : 0.0; });
  registry.AddTask("Pair", [] {
    return std::tuple<Array<float>, int64_t>{Array<float>(std::vector<float>{1.5f, 2.5f}), 7};
  });
  // The second result cannot be encoded (33 dimensions) after the first was handed over.
  registry.AddTask("HalfEncodable", [] {
    return std::tuple<Array<double>, Array<double>>{
        Make(3), Array<double>::Zeros(std::vector<int64_t>(33, 1))};
  });
  registry.AddTask("Many", [] {
    return std::map<std::string, std::vector<Array<int64_t>>>{
        {"a", {Array<int64_t>(std::vector<int64_t>{1}), Array<int64_t>(std::vector<int64_t>{2, 3})}}};
  });
  registry.AddTask("PutArray", [] {
    goray::ObjectRef ref = goray::Put(Make(4));
    return Make(2);
  });
  registry.AddTask("GetArrayInReply", [] {
    Array<double> array = goray::ObjectRef(9).Get<Array<double>>();
    const char* reply = static_cast<const char*>(g_get_reply.load());
    const char* data = reinterpret_cast<const char*>(array.data());
    return std::tuple<bool, double>{data > reply && data < reply + 256, array[2]};
  });
  registry.AddTask("GetViewInReply", [] {
    ArrayView<double> view = goray::ObjectRef(9).Get<ArrayView<double>>();
    const char* reply = static_cast<const char*>(g_get_reply.load());
    const char* data = reinterpret_cast<const char*>(view.data());
    return std::tuple<bool, double>{data > reply && data < reply + 256, view[2]};  // still alive
  });
  registry.AddTask("CallPython", [](const Array<double>& a) {
    return goray::LocalCallPyTask("py_sum", ArrayView<double>(a), a).Get<double>();
  });
  registry.AddTask("Submit", [](const Array<double>& a) {
    return goray::RemoteCall("Scale", ArrayView<double>(a), 2.0).id();
  });
  registry.AddActor<Store>("Store", &goray::Constructor<Store>::Create).AddMethod("Data", &Store::Data);
}

namespace {

struct Result {
  long long code = -1;
  std::string body;
  std::size_t malloc_offset_mod_64 = 0;  // of the reply buffer, always 0 for malloc
};

Result Call(long long command, const std::string& payload, uint64_t index = 0) {
  long long out_len = 0;
  long long code = -1;
  void* out = Execute(command | static_cast<long long>(index << 10),
                      const_cast<char*>(payload.data()), static_cast<long long>(payload.size()),
                      &out_len, &code);
  Result result;
  result.code = code;
  if (out != nullptr) {
    result.body.assign(static_cast<char*>(out), static_cast<size_t>(out_len));
    FreeMemory(out);
  }
  return result;
}

std::string Unit(std::string_view bytes) {
  std::string out;
  AppendLittle(out, bytes.size());
  out.append(bytes);
  return out;
}

std::string CallPayload(std::string_view name, const std::string& args_block) {
  return Unit(name) + Unit(args_block);
}

template <class... Args>
std::string Block(const Args&... args) {
  return (array_test::EncodeToString(args) + ... + std::string());
}

std::string PanicMessage(const Result& result) {
  EXPECT_EQ(result.code, 5) << result.body;
  return nlohmann::json::parse(result.body)["Message"].get<std::string>();
}

std::vector<msgpack::object_handle> Values(const std::string& block) {
  std::vector<msgpack::object_handle> values;
  for (size_t offset = 0; offset < block.size();) {
    values.push_back(msgpack::unpack(block.data(), block.size(), offset));
  }
  return values;
}

uint64_t LoadLittle(const char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// An ext 72 read back: its fields.
struct Handoff {
  char kind = 0;
  int ndim = 0;
  int flags = 0;
  std::vector<int64_t> shape;
  const void* address = nullptr;
  uint64_t token = 0;
};

Handoff ReadHandoff(const msgpack::object& object) {
  EXPECT_EQ(object.type, msgpack::type::EXT);
  EXPECT_EQ(object.via.ext.type(), 72);
  const char* payload = object.via.ext.data();
  Handoff handoff;
  handoff.kind = payload[0];
  handoff.ndim = payload[2];
  handoff.flags = payload[3];
  for (int i = 0; i < handoff.ndim; ++i) {
    handoff.shape.push_back(static_cast<int64_t>(LoadLittle(payload + 4 + 8 * i)));
  }
  handoff.address = reinterpret_cast<const void*>(LoadLittle(payload + 4 + 8 * handoff.ndim));
  handoff.token = LoadLittle(payload + 12 + 8 * handoff.ndim);
  return handoff;
}

std::string TokenPayload(uint64_t token) {
  std::string out;
  AppendLittle(out, token);
  return out;
}

class ArrayAbi : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeCallback); }
  void SetUp() override {
    detail::SetArraysEnabled(false);
    g_driver = [](long long, std::string_view) { return std::tuple<long long, std::string>{0, ""}; };
  }
  void TearDown() override { EXPECT_EQ(detail::LiveArrayHandoffs(), 0u); }
};

TEST_F(ArrayAbi, ProtocolVersionHasArrays) { EXPECT_GE(GorayProtocolVersion(), 2); }

TEST_F(ArrayAbi, EnableArraysSwitchesResultsFromNestedListsToExt71) {
  Result before = Call(4, CallPayload("Make", Block(int64_t{3})));
  ASSERT_EQ(before.code, 0) << before.body;
  EXPECT_EQ(before.body, array_test::EncodeToString(std::vector<double>{0, 1, 2}));
  Result enable = Call(33, "");
  EXPECT_EQ(enable.code, 0);
  EXPECT_EQ(enable.body, "");
  Result after = Call(4, CallPayload("Make", Block(int64_t{3})));
  ASSERT_EQ(after.code, 0);
  EXPECT_EQ(after.body[0], '\xc9');
  EXPECT_EQ(after.body[5], 71);
  const std::size_t pad = static_cast<uint8_t>(after.body[6 + 3]);
  EXPECT_EQ((6 + 4 + 8 + pad) % 64, 0u);  // data 64-byte aligned in the reply
  EXPECT_EQ(after.body.size(), 6 + 4 + 8 + pad + 24);
}

TEST_F(ArrayAbi, RunTaskForPythonHandsTheBufferOver) {
  ASSERT_EQ(Call(33, "").code, 0);
  Result result = Call(34, CallPayload("Make", Block(int64_t{1000})));
  ASSERT_EQ(result.code, 0) << result.body;
  auto values = Values(result.body);
  ASSERT_EQ(values.size(), 1u);
  Handoff handoff = ReadHandoff(values[0].get());
  EXPECT_EQ(handoff.kind, 'f');
  EXPECT_EQ(handoff.flags, 1);  // owned
  EXPECT_EQ(handoff.shape, (std::vector<int64_t>{1000}));
  EXPECT_EQ(handoff.address, g_made.load());  // the Array's own buffer: zero copies
  EXPECT_NE(handoff.token, 0u);
  // The Array is gone; its buffer stays alive until ReleaseArray.
  EXPECT_EQ(detail::LiveArrayHandoffs(), 1u);
  EXPECT_EQ(static_cast<const double*>(handoff.address)[999], 999.0);
  Result release = Call(36, TokenPayload(handoff.token));
  EXPECT_EQ(release.code, 0);
  EXPECT_EQ(release.body, "");
  Result again = Call(36, TokenPayload(handoff.token));
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.body, "goray: unknown array token " + std::to_string(handoff.token));
}

TEST_F(ArrayAbi, TokensAreNeverReused) {
  ASSERT_EQ(Call(33, "").code, 0);
  uint64_t previous = 0;
  for (int i = 0; i < 3; ++i) {
    Result result = Call(34, CallPayload("Make", Block(int64_t{2})));
    Handoff handoff = ReadHandoff(Values(result.body)[0].get());
    EXPECT_GT(handoff.token, previous);
    previous = handoff.token;
    EXPECT_EQ(Call(36, TokenPayload(handoff.token)).code, 0);
  }
  EXPECT_EQ(Call(36, "abc").body, "goray: ReleaseArray expects an 8-byte token, received 3 bytes");
}

TEST_F(ArrayAbi, TupleResultsAndActorMethodsHandOver) {
  ASSERT_EQ(Call(33, "").code, 0);
  Result pair = Call(34, CallPayload("Pair", ""));
  ASSERT_EQ(pair.code, 0) << pair.body;
  auto values = Values(pair.body);
  ASSERT_EQ(values.size(), 2u);
  Handoff floats = ReadHandoff(values[0].get());
  EXPECT_EQ(floats.kind, 'f');
  EXPECT_EQ(static_cast<const float*>(floats.address)[1], 2.5f);
  EXPECT_EQ(values[1].get().as<int64_t>(), 7);
  EXPECT_EQ(Call(36, TokenPayload(floats.token)).code, 0);

  Result created = Call(5, CallPayload("Store", ""));
  ASSERT_EQ(created.code, 0) << created.body;
  const uint64_t index = std::stoull(created.body);
  Result data = Call(35, CallPayload("Data", ""), index);
  ASSERT_EQ(data.code, 0) << data.body;
  Handoff ints = ReadHandoff(Values(data.body)[0].get());
  EXPECT_EQ(ints.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(static_cast<const int32_t*>(ints.address)[5], 6);
  EXPECT_EQ(Call(36, TokenPayload(ints.token)).code, 0);
  // Command 6 on the same method: inline.
  Result inline_data = Call(6, CallPayload("Data", ""), index);
  EXPECT_EQ(inline_data.body[5], 71);
  EXPECT_EQ(Call(7, "", index).code, 0);
}

TEST_F(ArrayAbi, ArraysInsideContainersHandOver) {
  ASSERT_EQ(Call(33, "").code, 0);
  Result result = Call(34, CallPayload("Many", ""));
  ASSERT_EQ(result.code, 0) << result.body;
  msgpack::object_handle value = std::move(Values(result.body)[0]);
  const msgpack::object& list = value.get().via.map.ptr[0].val;
  ASSERT_EQ(list.via.array.size, 2u);
  EXPECT_EQ(detail::LiveArrayHandoffs(), 2u);
  for (uint32_t i = 0; i < 2; ++i) {
    Handoff handoff = ReadHandoff(list.via.array.ptr[i]);
    EXPECT_EQ(static_cast<const int64_t*>(handoff.address)[0], i == 0 ? 1 : 2);
    EXPECT_EQ(Call(36, TokenPayload(handoff.token)).code, 0);
  }
}

TEST_F(ArrayAbi, FailedResultsReleaseTheirTokens) {
  ASSERT_EQ(Call(33, "").code, 0);
  Result result = Call(34, CallPayload("HalfEncodable", ""));
  EXPECT_EQ(PanicMessage(result),
            "std::invalid_argument: goray: an array of 33 dimensions is over the limit of 32 "
            "(task HalfEncodable)");
  EXPECT_EQ(detail::LiveArrayHandoffs(), 0u);
}

TEST_F(ArrayAbi, ArgumentsFromPythonBorrowAndCheck) {
  ASSERT_EQ(Call(33, "").code, 0);
  std::vector<double> values{1, 2, 3, 4, 5, 6};
  // ext 72 borrowed: the task sees the caller's memory (zero copies).
  const std::string borrowed = Ext32(72, Ext72Payload('f', 8, {6}, values.data()));
  Result address = Call(4, CallPayload("ViewAddress", borrowed));
  EXPECT_EQ(Values(address.body)[0].get().as<uint64_t>(), reinterpret_cast<uintptr_t>(values.data()));
  Result scaled = Call(34, CallPayload("Scale", borrowed + Block(2.0)));
  ASSERT_EQ(scaled.code, 0) << scaled.body;
  Handoff handoff = ReadHandoff(Values(scaled.body)[0].get());
  EXPECT_EQ(static_cast<const double*>(handoff.address)[5], 12.0);
  EXPECT_EQ(Call(36, TokenPayload(handoff.token)).code, 0);

  EXPECT_EQ(Values(Call(4, CallPayload("SumSpan", borrowed)).body)[0].get().as<double>(), 21.0);
  EXPECT_EQ(Values(Call(4, CallPayload("SumVector", borrowed)).body)[0].get().as<double>(), 21.0);
  const std::string inline_two_d = Ext32(71, Ext71Payload('f', 8, {2, 3}, Bytes(values)));
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("SumSpan", inline_two_d))),
            "goray::ArgumentError: position 0: expected std::span<const double>, received "
            "ndarray of float64 (2, 3) (task SumSpan)");
  std::vector<int32_t> ints(6, 1);
  const std::string int_two_d = Ext32(71, Ext71Payload('i', 4, {2, 3}, Bytes(ints)));
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("First", int_two_d))),
            "goray::ArgumentError: position 0: expected goray::Array<double>, received ndarray of "
            "int32 (2, 3) (task First)");
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("First", Ext32(71, "f\x08")))),
            "goray::ArgumentError: position 0: expected goray::Array<double>, received malformed "
            "array ext 71 (payload of 2 bytes, shorter than its header) (task First)");
  // Nested lists (GoRay's driver, or ours before EnableArrays) work everywhere.
  EXPECT_EQ(Values(Call(4, CallPayload("SumSpan", Block(values))).body)[0].get().as<double>(), 21.0);
}

TEST_F(ArrayAbi, ByAddressIsRefusedBeforeEnableArrays) {
  std::vector<double> values{1, 2};
  const std::string borrowed = Ext32(72, Ext72Payload('f', 8, {2}, values.data()));
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("SumSpan", borrowed))),
            "goray::ArgumentError: position 0: expected std::span<const double>, received ext 72 "
            "(an array by address), which is accepted only after EnableArrays (task SumSpan)");
}

TEST_F(ArrayAbi, PutInsideAForPythonCallStaysInline) {
  ASSERT_EQ(Call(33, "").code, 0);
  std::string put_payload;
  g_driver = [&](long long command, std::string_view input) {
    if (command == 7) {
      put_payload = std::string(input);
      std::string id;
      AppendLittle(id, 42);
      return std::tuple<long long, std::string>{0, id};
    }
    return std::tuple<long long, std::string>{0, ""};  // ReleaseObject
  };
  Result result = Call(34, CallPayload("PutArray", ""));
  ASSERT_EQ(result.code, 0) << result.body;
  ASSERT_GE(put_payload.size(), 6u);
  EXPECT_EQ(put_payload[0], '\xc9');
  EXPECT_EQ(put_payload[5], 71);  // ext 71 into the object store, never an address
  const std::size_t pad = static_cast<uint8_t>(put_payload[9]);
  EXPECT_EQ((6 + 4 + 8 + pad) % 64, 0u);
  Handoff handoff = ReadHandoff(Values(result.body)[0].get());  // the result: handed over
  EXPECT_EQ(Call(36, TokenPayload(handoff.token)).code, 0);
}

TEST_F(ArrayAbi, GetSharesTheReplyBuffer) {
  ASSERT_EQ(Call(33, "").code, 0);
  std::vector<double> values{1, 2, 3};
  // pad 6: data at 6 + 4 + 8 + 6 = 24, aligned for double in the 64-aligned reply.
  const std::string stored = Ext32(71, Ext71Payload('f', 8, {3}, Bytes(values), 6));
  g_driver = [&](long long command, std::string_view) {
    return std::tuple<long long, std::string>{0, command == 6 ? stored : ""};
  };
  for (const char* task : {"GetArrayInReply", "GetViewInReply"}) {
    Result result = Call(4, CallPayload(task, ""));
    ASSERT_EQ(result.code, 0) << result.body;
    auto decoded = Values(result.body);
    EXPECT_TRUE(decoded[0].get().as<bool>()) << task;  // data in the reply: zero copies
    EXPECT_EQ(decoded[1].get().as<double>(), 3.0);  // and kept alive (ASan checks)
  }
}

TEST_F(ArrayAbi, TypedCallsEncodeArraysAndViews) {
  ASSERT_EQ(Call(33, "").code, 0);
  std::string args_unit;
  g_driver = [&](long long command, std::string_view input) {
    if (command == 0 || command == 5) {
      const uint64_t length = LoadLittle(input.data());
      args_unit = std::string(input.substr(0, 8 + length));
    }
    if (command == 5) {
      std::string id;
      AppendLittle(id, 77);
      return std::tuple<long long, std::string>{0, id};
    }
    return std::tuple<long long, std::string>{0, array_test::EncodeToString(6.0)};
  };
  std::vector<double> values{1, 2, 3};
  const std::string argument = Ext32(71, Ext71Payload('f', 8, {3}, Bytes(values)));
  Result result = Call(4, CallPayload("CallPython", argument));
  ASSERT_EQ(result.code, 0) << result.body;
  // unit0: 8-byte length, then two ext 71, each with data 64-byte aligned in the buffer.
  ASSERT_GT(args_unit.size(), 8u);
  std::size_t offset = 8;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(args_unit[offset + 5], 71);
    const std::size_t pad = static_cast<uint8_t>(args_unit[offset + 9]);
    EXPECT_EQ((offset + 6 + 12 + pad) % 64, 0u);
    offset += 6 + 12 + pad + 24;
  }
  EXPECT_EQ(offset, args_unit.size());
  // A remote call (CallBuilder): the view argument is ext 71 too, then the double.
  Result submitted = Call(4, CallPayload("Submit", argument));
  ASSERT_EQ(submitted.code, 0) << submitted.body;
  EXPECT_EQ(Values(submitted.body)[0].get().as<uint64_t>(), 77u);
  ASSERT_EQ(args_unit[8 + 5], 71);
  const std::size_t pad = static_cast<uint8_t>(args_unit[8 + 9]);
  EXPECT_EQ((8 + 6 + 12 + pad) % 64, 0u);
  EXPECT_EQ(args_unit.size(), 8 + 6 + 12 + pad + 24 + 9);  // + float64 2.0
}

TEST_F(ArrayAbi, ConcurrentHandoffsAndReleases) {
  ASSERT_EQ(Call(33, "").code, 0);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Result result = Call(34, CallPayload("Make", Block(int64_t{16})));
        if (result.code != 0) ++failures;
        Handoff handoff = ReadHandoff(Values(result.body)[0].get());
        if (Call(36, TokenPayload(handoff.token)).code != 0) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace

// Of runtime/src, this file exercises codec/array_handoff.cpp most directly (docs/testing.md,
// "Finding a module's tests").
