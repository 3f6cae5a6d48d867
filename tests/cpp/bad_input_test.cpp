// The bad-input catalogue through the C ABI (docs/reliability.md): every malformed request
// the driver could send, each answered with its exact error text, and the
// library keeps serving afterwards. abi_test.cpp covers the basic cases (one
// truncation sweep, unknown task/method, arity); this file covers the rest.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

struct Counter {
  explicit Counter(int64_t start) : value(start) {}
  int64_t Incr(int64_t by) { return value += by; }
  int64_t value;
};

int64_t Mixed(int64_t, std::string, double, bool, std::vector<int32_t>, std::map<std::string, int64_t>,
              std::optional<uint8_t>) {
  return 1;
}

int64_t AskPython(int64_t x) { return goray::LocalCallPyTask("py_double", x).Get<int64_t>(); }

// Actors built by the raw factories below: a dry run must not build one.
int g_raw_factory_runs = 0;
std::shared_ptr<void> RawFactory(const goray::ArgList&) {
  ++g_raw_factory_runs;
  return std::make_shared<Counter>(0);
}

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Mixed", &Mixed);
  registry.AddTask("U8", [](uint8_t x) { return x; });
  registry.AddTask("I8", [](int8_t x) { return x; });
  registry.AddTask("U64", [](uint64_t x) { return x; });
  registry.AddTask("F32", [](float x) { return x; });
  registry.AddTask("Concat", [](std::string a, std::string b) { return a + b; });
  registry.AddTask("Nested", [](std::vector<std::vector<int8_t>> x) { return x.size(); });
  registry.AddTask("Deep", [](goray::Value v) { return v.is_array(); });
  registry.AddTask("Deque", [](std::deque<int8_t> x) { return x; });
  registry.AddTask("USet", [](std::unordered_set<std::string> x) { return x.size(); });
  registry.AddTask("AskPython", &AskPython);
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", &Counter::Incr);
  // A custom factory with methods added through the public builder.
  goray::ActorTypeBuilder<Counter>(registry.AddActorType("RawCounter", &RawFactory))
      .AddMethod("Incr", &Counter::Incr);
  // A custom factory claiming to check its arguments, without reaching the dry-run stop.
  registry.AddActorType("ClaimsChecks", &RawFactory).checks_arguments = true;
  registry.SetDriver([](const std::vector<std::string>& args) { return static_cast<int>(args.size()); });
}

namespace {

struct Result {
  long long code;
  std::string body;
};

Result CallRaw(long long request, const void* data, long long length) {
  long long out_len = -1;
  long long ret_code = -1;
  void* out = Execute(request, const_cast<void*>(data), length, &out_len, &ret_code);
  Result result{ret_code, {}};
  EXPECT_EQ(out == nullptr, out_len == 0) << "reply pointer and length disagree";
  if (out != nullptr) {
    result.body.assign(static_cast<char*>(out), static_cast<size_t>(out_len));
    FreeMemory(out);
  }
  return result;
}

Result Call(long long command, const std::string& payload, uint64_t index = 0) {
  // An exact-size heap copy, so a sanitizer build sees any read past the end.
  std::vector<char> copy(payload.begin(), payload.end());
  if (copy.empty()) copy.reserve(1);
  return CallRaw(command | static_cast<long long>(index << 10), copy.data(),
                 static_cast<long long>(payload.size()));
}

std::string U64(uint64_t value) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

std::string Unit(std::string_view bytes) { return U64(bytes.size()) + std::string(bytes); }

template <class... Args>
std::string Pack(const Args&... args) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  (packer.pack(args), ...);
  return std::string(buffer.data(), buffer.size());
}

std::string Payload(std::string_view name, const std::string& args_block) {
  return Unit(name) + Unit(args_block);
}

std::string Message(const Result& result) {
  EXPECT_EQ(result.code, 5) << result.body;
  auto json = nlohmann::json::parse(result.body, nullptr, false);
  if (!json.is_object() || !json.contains("Message")) return "<not a panic JSON: " + result.body + ">";
  EXPECT_EQ(json["Traceback"], "");
  return json["Message"].get<std::string>();
}

// The library still serves ordinary calls.
void ExpectAlive() {
  Result result = Call(4, Payload("Concat", Pack(std::string("o"), std::string("k"))));
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(result.body, Pack(std::string("ok")));
}

class BadInputTest : public testing::Test {
 protected:
  void TearDown() override { ExpectAlive(); }
};

// ---- framing ----

TEST_F(BadInputTest, TruncatedUnitHeaders) {
  EXPECT_EQ(Message(Call(4, std::string("\x03\x00\x00", 3))),
            "goray::ProtocolError: truncated unit header at byte 0 of 3");
  EXPECT_EQ(Message(Call(4, Unit("Concat") + std::string("\x01\x00", 2))),
            "goray::ProtocolError: truncated unit header at byte 14 of 16");
}

TEST_F(BadInputTest, LengthsPastTheBuffer) {
  EXPECT_EQ(Message(Call(4, U64(7) + "Conc")),
            "goray::ProtocolError: unit 0 claims 7 bytes but only 4 remain");
  EXPECT_EQ(Message(Call(4, Unit("Concat") + U64(3) + "ab")),
            "goray::ProtocolError: unit 1 claims 3 bytes but only 2 remain");
}

TEST_F(BadInputTest, HugeLengths) {
  EXPECT_EQ(Message(Call(4, U64(UINT64_MAX) + "x")),
            "goray::ProtocolError: unit 0 claims 18446744073709551615 bytes but only 1 remain");
  EXPECT_EQ(Message(Call(5, Unit("Counter") + U64(uint64_t{1} << 63))),
            "goray::ProtocolError: unit 1 claims 9223372036854775808 bytes but only 0 remain");
  // A length that would wrap offset + length around.
  EXPECT_EQ(Message(Call(4, U64(UINT64_MAX - 7) + U64(0))),
            "goray::ProtocolError: unit 0 claims 18446744073709551608 bytes but only 8 remain");
}

TEST_F(BadInputTest, TooFewUnits) {
  EXPECT_EQ(Message(Call(4, "")),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 0");
  EXPECT_EQ(Message(Call(4, Unit("Concat"))),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 1");
  EXPECT_EQ(Message(Call(5, Unit("Counter"))),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 1");
  EXPECT_EQ(Message(Call(6, Unit("Incr"))),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 1");
}

// ---- msgpack ----

TEST_F(BadInputTest, MalformedMsgpack) {
  EXPECT_EQ(Message(Call(4, Payload("Concat", std::string("\xc1", 1)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 0: parse error");
  // str8 claiming 10 bytes, 2 present.
  EXPECT_EQ(Message(Call(4, Payload("Concat", std::string("\xd9\x0a" "ab", 4)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 2: insufficient bytes");
  // The second argument truncated after a good first one.
  EXPECT_EQ(Message(Call(4, Payload("Concat", Pack(std::string("a")) + std::string("\xa5xy", 3)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 3: insufficient bytes");
  // array32 / map32 / bin32 headers claiming 4G entries.
  EXPECT_EQ(Message(Call(4, Payload("Concat", std::string("\xdd\xff\xff\xff\xff", 5)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 0: array size overflow");
  EXPECT_EQ(Message(Call(4, Payload("Concat", std::string("\xdf\xff\xff\xff\xff", 5)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 0: map size overflow");
  // bin32 and ext32 with forged lengths: referenced, not copied, so simply too short.
  EXPECT_EQ(Message(Call(4, Payload("Concat", std::string("\xc6\xff\xff\xff\xff", 5)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 5: insufficient bytes");
  EXPECT_EQ(Message(Call(4, Payload("Concat", std::string("\xc9\xff\xff\xff\xff\x01", 6)))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 5: insufficient bytes");
}

TEST_F(BadInputTest, NestingDepthIsBounded) {
  std::string deep(1001, '\x91');  // 1001 nested one-element arrays
  deep += '\x00';
  EXPECT_EQ(Message(Call(4, Payload("Deep", deep))),
            "goray::ProtocolError: malformed msgpack in the arguments block at byte 0: depth size overflow");
  std::string ok(999, '\x91');
  ok += '\x00';
  Result result = Call(4, Payload("Deep", ok));
  EXPECT_EQ(result.code, 0) << result.body;
}

// ---- types at every position ----

TEST_F(BadInputTest, WrongTypeAtEveryPosition) {
  const std::vector<std::string> good = {
      Pack(int64_t{1}),  Pack(std::string("s")), Pack(2.5),           Pack(true),
      Pack(std::vector<int32_t>{1}), Pack(std::map<std::string, int64_t>{{"a", 1}}),
      Pack(uint8_t{3})};
  const std::vector<std::string> expected = {"int64_t", "std::string", "double", "bool",
                                             "std::vector<int32_t>",
                                             "std::map<std::string, int64_t>",
                                             "std::optional<uint8_t>"};
  std::string all;
  for (const auto& arg : good) all += arg;
  ASSERT_EQ(Call(4, Payload("Mixed", all)).code, 0);
  for (size_t position = 0; position < good.size(); ++position) {
    // A str, or an int for the std::string (which accepts str and bin).
    std::string wrong = position == 1 ? Pack(7) : Pack(std::string("x"));
    std::string block;
    for (size_t i = 0; i < good.size(); ++i) block += i == position ? wrong : good[i];
    std::string received = position == 1 ? "int 7" : "str";
    EXPECT_EQ(Message(Call(4, Payload("Mixed", block))),
              "goray::ArgumentError: position " + std::to_string(position) + ": expected " +
                  expected[position] + ", received " + received + " (task Mixed)");
  }
}

TEST_F(BadInputTest, NilForANonOptionalParameter) {
  EXPECT_EQ(Message(Call(4, Payload("Mixed", Pack(msgpack::type::nil_t())))),
            "goray::ArgumentError: expected 7 arguments, received 1 (task Mixed)");
  EXPECT_EQ(Message(Call(4, Payload("Concat", Pack(std::string("a"), msgpack::type::nil_t())))),
            "goray::ArgumentError: position 1: expected std::string, received nil (task Concat)");
  EXPECT_EQ(Message(Call(4, Payload("U8", Pack(msgpack::type::nil_t())))),
            "goray::ArgumentError: position 0: expected uint8_t, received nil (task U8)");
}

TEST_F(BadInputTest, IntegerOverflowNamesTheTargetType) {
  EXPECT_EQ(Message(Call(4, Payload("U8", Pack(300)))),
            "goray::ArgumentError: position 0: expected uint8_t, received int 300 (task U8)");
  EXPECT_EQ(Message(Call(4, Payload("U8", Pack(-1)))),
            "goray::ArgumentError: position 0: expected uint8_t, received int -1 (task U8)");
  EXPECT_EQ(Message(Call(4, Payload("I8", Pack(-129)))),
            "goray::ArgumentError: position 0: expected int8_t, received int -129 (task I8)");
  EXPECT_EQ(Message(Call(4, Payload("U64", Pack(int64_t{-5})))),
            "goray::ArgumentError: position 0: expected uint64_t, received int -5 (task U64)");
  EXPECT_EQ(Call(4, Payload("U64", Pack(UINT64_MAX))).code, 0);
  EXPECT_EQ(Message(Call(4, Payload("Nested", Pack(std::vector<std::vector<int64_t>>{{1}, {2, 200}})))),
            "goray::ArgumentError: position 0: expected std::vector<std::vector<int8_t>>, received "
            "array (at [1][1]: expected int8_t, received int 200) (task Nested)");
}

TEST_F(BadInputTest, DequesAndUnorderedSetsAreParametersAndResults) {
  EXPECT_EQ(Call(4, Payload("Deque", Pack(std::vector<int>{1, -2}))).body,
            Pack(std::vector<int>{1, -2}));
  EXPECT_EQ(Message(Call(4, Payload("Deque", Pack(std::vector<int>{1, 200})))),
            "goray::ArgumentError: position 0: expected std::deque<int8_t>, received "
            "array (at [1]: expected int8_t, received int 200) (task Deque)");
  EXPECT_EQ(Call(4, Payload("USet", Pack(std::vector<std::string>{"a", "b", "a"}))).body, Pack(2));
  EXPECT_EQ(Message(Call(4, Payload("USet", Pack(5)))),
            "goray::ArgumentError: position 0: expected std::unordered_set<std::string>, "
            "received int 5 (task USet)");
}

TEST_F(BadInputTest, FloatNarrowingRoundsButNeverOverflows) {
  // docs/types.md: a float64 narrows into a float (rounding), an int converts;
  // a finite float64 beyond float's range is refused like an integer out of range.
  EXPECT_EQ(Message(Call(4, Payload("F32", Pack(1e40)))),
            "goray::ArgumentError: position 0: expected float, received float64 1e+40 (task F32)");
  EXPECT_EQ(Call(4, Payload("F32", Pack(std::numeric_limits<double>::infinity()))).body,
            Pack(std::numeric_limits<float>::infinity()));
  EXPECT_EQ(Call(4, Payload("F32", Pack(0.1))).body, Pack(0.1f));
  EXPECT_EQ(Call(4, Payload("F32", Pack(3))).body, std::string("\xca\x40\x40\x00\x00", 5));  // float32 3.0
  EXPECT_EQ(Message(Call(4, Payload("F32", Pack(std::string("1.5"))))),
            "goray::ArgumentError: position 0: expected float, received str (task F32)");
}

// ---- resolved ObjectRef units ----

TEST_F(BadInputTest, ResolvedRefUnits) {
  const std::string name = Unit("Concat");
  EXPECT_EQ(Message(Call(4, name + Unit(Pack(std::string("a"))) + Unit("\x01\x00"))),
            "goray::ProtocolError: resolved argument unit 2 is shorter than 8 bytes");
  EXPECT_EQ(Message(Call(4, name + Unit(Pack(std::string("a"))) + Unit(U64(2) + Pack(std::string("b"))))),
            "goray::ProtocolError: resolved argument position 2 is out of range for 2 arguments");
  EXPECT_EQ(Message(Call(4, name + Unit("") + Unit(U64(UINT64_MAX) + Pack(std::string("b"))))),
            "goray::ProtocolError: resolved argument position 18446744073709551615 is out of range for 1 arguments");
  EXPECT_EQ(Message(Call(4, name + Unit("") + Unit(U64(0) + Pack(std::string("a"))) +
                                Unit(U64(0) + Pack(std::string("b"))))),
            "goray::ProtocolError: resolved argument position 0 appears twice");
  EXPECT_EQ(Message(Call(4, name + Unit(Pack(std::string("a"))) +
                                Unit(U64(1) + Pack(std::string("b"), std::string("c"))))),
            "goray::ArgumentError: position 1: expected one value, received an object holding several "
            "values (a multi-return result)");
  EXPECT_EQ(Message(Call(4, name + Unit(Pack(std::string("a"))) + Unit(U64(1)))),
            "goray::ProtocolError: malformed msgpack in the resolved argument at position 1 at byte 0: "
            "insufficient bytes");
  EXPECT_EQ(Message(Call(4, name + Unit(Pack(std::string("a"))) + Unit(U64(1) + Pack(7)))),
            "goray::ArgumentError: position 1: expected std::string, received int 7 (task Concat)");
}

// ---- commands and request words ----

TEST_F(BadInputTest, UnknownCommandNumbers) {
  // 32-46 are extensions (CheckActorArgs, the array commands, EnableFeatures, streams,
  // results out of band, map chunks).
  for (long long command : {8LL, 17LL, 31LL, 47LL, 500LL, 1023LL}) {
    Result result = Call(command, "");
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.body, "goray: unknown command " + std::to_string(command));
  }
  // Index bits do not change the command; a negative request is command 1023.
  EXPECT_EQ(Call(9, "", 5).body, "goray: unknown command 9");
  EXPECT_EQ(CallRaw(-1, "", 0).body, "goray: unknown command 1023");
}

TEST_F(BadInputTest, NullAndNegativeLengths) {
  // NULL input (the protocol says non-NULL, but a broken driver must not crash us).
  EXPECT_EQ(CallRaw(0, nullptr, 0).code, 0);
  EXPECT_EQ(CallRaw(2, nullptr, 0).code, 0);
  EXPECT_EQ(Message(CallRaw(4, nullptr, 0)),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 0");
  EXPECT_EQ(Message(CallRaw(4, nullptr, 100)),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 0");
  // A negative length is read as empty.
  std::string payload = Payload("Concat", Pack(std::string("a"), std::string("b")));
  EXPECT_EQ(Message(CallRaw(4, payload.data(), -5)),
            "goray::ProtocolError: expected at least 2 units (name, arguments), received 0");
}

TEST_F(BadInputTest, GetActorMethodsOfOddNames) {
  Result empty = Call(3, "");
  EXPECT_EQ(empty.code, 1);
  const std::string known = " not found; known actor types: ClaimsChecks, Counter, RawCounter";
  EXPECT_EQ(empty.body, "goray: actor type ''" + known);
  Result with_nul = Call(3, std::string("Counter\0x", 9));
  EXPECT_EQ(with_nul.code, 1);
  EXPECT_EQ(with_nul.body, "goray: actor type '" + std::string("Counter\0x", 9) + "'" + known);
}

TEST_F(BadInputTest, StartDriverWithBadArguments) {
  EXPECT_EQ(Call(1, R"(["a","b","c"])").body, "3");
  for (const char* bad : {"not json", "{\"a\": 1}", "[1, 2]", "[\"a\", null]", "\"a\""}) {
    EXPECT_EQ(Message(Call(1, bad)),
              "goray::ProtocolError: StartDriver expects a JSON array of strings (task Driver)")
        << bad;
  }
}

// ---- actor instances ----

TEST_F(BadInputTest, InstanceIndices) {
  Result created = Call(5, Payload("Counter", Pack(int64_t{1})));
  ASSERT_EQ(created.code, 0) << created.body;
  const uint64_t index = std::stoull(created.body);
  const uint64_t never = (uint64_t{1} << 53) - 1;  // the largest index the request word carries
  EXPECT_EQ(Message(Call(6, Payload("Incr", Pack(1)), never)),
            "goray::UnknownNameError: unknown actor instance " + std::to_string(never) + " (task Incr)");
  Result close_never = Call(7, "", never);
  EXPECT_EQ(close_never.code, 1);
  EXPECT_EQ(close_never.body, "goray: no actor instance " + std::to_string(never));
  EXPECT_EQ(Message(Call(6, Payload("Incr", Pack(1)), index + 1)),
            "goray::UnknownNameError: unknown actor instance " + std::to_string(index + 1) + " (task Incr)");

  ASSERT_EQ(Call(7, "", index).code, 0);
  Result closed = Call(6, Payload("Incr", Pack(1)), index);
  EXPECT_EQ(closed.code, 1);
  EXPECT_EQ(closed.body, "goray: actor instance " + std::to_string(index) + " is closed (method Incr)");
  Result twice = Call(7, "", index);
  EXPECT_EQ(twice.code, 1);
  EXPECT_EQ(twice.body, "goray: actor instance " + std::to_string(index) + " is already closed");
  // A malformed call to a closed instance is a protocol error first.
  EXPECT_EQ(Message(Call(6, "xx", index)), "goray::ProtocolError: truncated unit header at byte 0 of 2");
}

TEST_F(BadInputTest, ConstructorArguments) {
  EXPECT_EQ(Message(Call(5, Payload("Counter", ""))),
            "goray::ArgumentError: expected 1 argument, received 0 (task Counter)");
  EXPECT_EQ(Message(Call(5, Payload("Counter", Pack(std::string("x"))))),
            "goray::ArgumentError: position 0: expected int64_t, received str (task Counter)");
  EXPECT_EQ(Message(Call(5, Payload("Nope", ""))),
            "goray::UnknownNameError: actor type 'Nope' not found; known actor types: ClaimsChecks, "
            "Counter, RawCounter (task Nope)");
}

TEST_F(BadInputTest, CheckActorArgsNeverRunsACustomFactoryAsAFit) {
  // Command 32 is CheckActorArgs.
  Result fit = Call(32, Payload("Counter", Pack(int64_t{1})));
  EXPECT_EQ(fit.code, 0);
  EXPECT_EQ(fit.body, "fit");
  int runs = g_raw_factory_runs;
  Result raw = Call(32, Payload("RawCounter", Pack(int64_t{1})));
  EXPECT_EQ(raw.code, 0);
  EXPECT_EQ(raw.body, "unchecked");
  EXPECT_EQ(g_raw_factory_runs, runs) << "a dry run built a RawCounter";
  Result claims = Call(32, Payload("ClaimsChecks", Pack(int64_t{1})));
  EXPECT_EQ(claims.code, 0);
  EXPECT_EQ(claims.body, "unchecked");
}

// ---- the callback ----

bool g_callback_registered = false;  // RegisterCallback keeps the first: tests share one

TEST_F(BadInputTest, NoCallbackRegisteredIsAClearError) {
  if (g_callback_registered) GTEST_SKIP() << "a callback was registered by an earlier test";
  EXPECT_EQ(Message(Call(4, Payload("AskPython", Pack(2)))),
            "goray::Error: no Python driver: RegisterCallback was never called (load this library "
            "with goray, not plain dlopen) (task AskPython)");
}

// The fake driver: answers with g_answer; by default it writes nothing (a broken driver).
std::function<std::tuple<long long, std::string>(long long, std::string_view)> g_answer;

void* NullCallback(long long request, void* in_data, long long in_len, long long* out_len,
                   long long* ret_code) {
  if (!g_answer) return nullptr;
  auto [code, body] = g_answer(request, std::string_view(static_cast<char*>(in_data),
                                                         in_data ? static_cast<size_t>(in_len) : 0));
  *ret_code = code;
  *out_len = static_cast<long long>(body.size());
  void* out = std::malloc(body.size() + 1);
  std::memcpy(out, body.data(), body.size());
  return out;
}

void UseFakeDriver() {
  RegisterCallback(&NullCallback);  // the same pointer again is silent
  g_callback_registered = true;
}

TEST_F(BadInputTest, ANullCallbackIsIgnoredAndASecondOneKeepsTheFirst) {
  RegisterCallback(nullptr);  // nothing to keep yet; still no callback
  EXPECT_EQ(Call(4, Payload("AskPython", Pack(2))).code, 5);
  UseFakeDriver();
  g_answer = nullptr;
  testing::internal::CaptureStderr();
  RegisterCallback(nullptr);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "goray: RegisterCallback called again; keeping the first callback\n");
  // NullCallback writes nothing: the runtime's defaults (code 1, length 0) make it a failure.
  EXPECT_EQ(Message(Call(4, Payload("AskPython", Pack(2)))), "PythonError:  (task AskPython)");
}

// Found by tests/fuzz/codec_fuzz: Value::FromMsgpack had no unpack limits, so a
// 12-byte map32 header claiming 2^31 entries made msgpack allocate 128 GiB.
TEST(BadValueInput, ForgedContainerHeadersAreErrorsNotAllocations) {
  const std::string map32("\xdf\x81\xf0\x2b\x91\x01\x92\x02\x05\x03\x00\x6f", 12);
  EXPECT_THROW((void)goray::Value::FromMsgpack(map32), msgpack::unpack_error);
  const std::string array32("\xdd\xff\xff\xff\xff", 5);
  EXPECT_THROW((void)goray::Value::FromMsgpack(array32), msgpack::unpack_error);
  std::string deep(1001, '\x91');
  deep += '\x00';
  EXPECT_THROW((void)goray::Value::FromMsgpack(deep), msgpack::unpack_error);
  std::string ok(999, '\x91');
  ok += '\x00';
  EXPECT_TRUE(goray::Value::FromMsgpack(ok).is_array());
}

// ---- the C++ API: Get with the wrong count, moved-from handles ----
// (Get with the wrong type, killed actors: remote_api_test.cpp and raytest.cpp.)

class CppApiTest : public testing::Test {
 protected:
  void SetUp() override { UseFakeDriver(); }
  void TearDown() override { g_answer = nullptr; }
};

template <class F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "<no exception>";
}

TEST_F(CppApiTest, GetWithTheWrongCount) {
  std::string stored;
  g_answer = [&](long long command, std::string_view) {
    return command == 6 ? std::make_tuple(0LL, stored) : std::make_tuple(0LL, U64(4));
  };
  goray::ObjectRef ref = goray::RemoteCall("Divide", 7, 2);
  stored = Pack(1, 2, 3);  // three values (a native block)
  EXPECT_EQ(ErrorOf([&] { ref.Get<int64_t, int64_t>(); }),
            "goray::ResultTypeError: expected 2 values, received 3 values (task Divide, object 4)");
  EXPECT_EQ(ErrorOf([&] { ref.Get<int64_t>(); }),
            "goray::ResultTypeError: expected 1 value, received 3 values (task Divide, object 4)");
  stored = "";  // a void task: no value
  EXPECT_EQ(ErrorOf([&] { ref.Get<int64_t>(); }),
            "goray::ResultTypeError: expected 1 value, received 0 values (task Divide, object 4)");
  stored = Pack(std::vector<int64_t>{1});  // one list of the wrong length
  EXPECT_EQ(ErrorOf([&] { ref.Get<int64_t, int64_t>(); }),
            "goray::ResultTypeError: expected 2 values, received 1 value (task Divide, object 4)");
  stored = std::string("\xc1", 1);  // not msgpack
  EXPECT_EQ(ErrorOf([&] { ref.Get<int64_t>(); }),
            "goray::ProtocolError: malformed msgpack value: parse error (task Divide, object 4)");
}

TEST_F(CppApiTest, MovedFromActorHandle) {
  g_answer = [](long long, std::string_view) { return std::make_tuple(0LL, U64(1)); };
  goray::ActorHandle actor = goray::NewActor("Counter", int64_t{0});
  goray::ActorHandle taken = std::move(actor);
  EXPECT_EQ(ErrorOf([&] { actor.RemoteCall("Incr", int64_t{1}); }),
            "goray::Error: use of a moved-from ActorHandle");  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(ErrorOf([&] { actor.Kill(); }), "goray::Error: use of a moved-from ActorHandle");  // NOLINT(bugprone-use-after-move)
}

TEST_F(CppApiTest, DriverErrorsOnSubmission) {
  g_answer = [](long long, std::string_view) {
    return std::make_tuple(1LL, std::string(R"j({"Message": "ValueError: Invalid option keyword bogus",
        "Traceback": "", "Error": {"type": "ValueError", "message": "Invalid option keyword bogus", "task": ""}})j"));
  };
  EXPECT_EQ(ErrorOf([] { goray::RemoteCall("Square", 1.0, goray::Option("bogus", 1)); }),
            "ValueError: Invalid option keyword bogus (Square)");
  g_answer = [](long long, std::string_view) { return std::make_tuple(0LL, std::string("123")); };
  EXPECT_EQ(ErrorOf([] { goray::RemoteCall("Square", 1.0); }),  // an id of 3 bytes
            "goray::ProtocolError: expected an 8-byte id from the driver, received 3 bytes (task Square)");
}

}  // namespace

// Of runtime/src, this file exercises calls_in/arg_list.cpp, calls_in/incoming_call.cpp,
// framing/framing.cpp, codec/array_ext_names.cpp, errors/errors.cpp most directly
// (docs/testing.md, "Finding a module's tests").
