// The exported C ABI end to end: Py2Native commands 0-7 with their replies and
// error codes, Native2Py calls through a fake driver callback, the memory
// rules, concurrency and re-entrancy.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "abi_call.h"
#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

struct Counter {
  explicit Counter(int64_t start) : value(start) {}
  int64_t Incr(int64_t by) { return value += by; }
  int64_t value;
};

struct Base {
  std::string Hello() const { return "hello from base"; }
};
struct Greeter : Base {
  std::string Name() const { return "greeter"; }
};

struct TaskSet {
  int64_t Twice(int64_t x) { return 2 * x; }
  static int64_t Thrice(int64_t x) { return 3 * x; }
};

// A task struct reaching one base through two paths, as a virtual base.
struct Scaler {
  int64_t Quadruple(int64_t x) const { return 4 * x + offset; }
  int64_t offset = 1;
};
struct ScaleLeft : virtual Scaler {};
struct ScaleRight : virtual Scaler {};
struct ScaleTasks : ScaleLeft, ScaleRight {};

std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) {
  if (b == 0) throw std::domain_error("divide by zero");
  return {a / b, a % b};
}

std::atomic<int> g_side_effects{0};
void Touch() { ++g_side_effects; }
int64_t ThrowInt() { throw 42; }
std::string Concat3(std::string a, const std::string& b, std::string c) { return a + b + c; }

// Python callee used through the fake driver below.
int64_t AskPython(int64_t x) { return goray::LocalCallPyTask("py_double", x).Get<int64_t>(); }

int RunDriver(const std::vector<std::string>& args) { return static_cast<int>(args.size()) + 7; }

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Add", [](int64_t a, int64_t b) { return a + b; });
  registry.AddTask("Divide", &Divide);
  registry.AddTask("Touch", &Touch);
  registry.AddTask("ThrowInt", &ThrowInt);
  registry.AddTask("Concat3", &Concat3);
  registry.AddTask("Twice", &TaskSet::Twice);
  registry.AddTask("Thrice", &TaskSet::Thrice);
  registry.AddTask("Quadruple", goray::detail::MemberOf<ScaleTasks>(&Scaler::Quadruple));
  registry.AddTask("AskPython", &AskPython);
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", &Counter::Incr);
  registry.AddActor<Greeter>("Greeter", [] { return Greeter{}; })
      .AddMethod("Name", &Greeter::Name)
      .AddMethod("Hello", &Base::Hello);
  registry.SetDriver(&RunDriver);
  registry.SetInitOptions(R"({"num_cpus": 2})");
}

namespace {

using abi_call::AppendUnit;
using abi_call::ArgsBlock;
using abi_call::Call;
using abi_call::CallPayload;
using abi_call::Result;

std::vector<msgpack::object_handle> Values(const std::string& block) {
  std::vector<msgpack::object_handle> values;
  for (size_t offset = 0; offset < block.size();) {
    values.push_back(msgpack::unpack(block.data(), block.size(), offset));
  }
  return values;
}

std::string PanicMessage(const Result& result) {
  EXPECT_EQ(result.code, 5);
  return nlohmann::json::parse(result.body)["Message"].get<std::string>();
}

// The fake driver: tests set how it answers.
std::function<std::tuple<long long, std::string>(long long, std::string_view)> g_driver;
std::atomic<int> g_driver_calls{0};

void* FakeCallback(long long request, void* in_data, long long in_len, long long* out_len,
                   long long* ret_code) {
  ++g_driver_calls;
  std::string_view input(static_cast<char*>(in_data), in_data ? static_cast<size_t>(in_len) : 0);
  auto [code, body] = g_driver(request, input);
  if (code < 0) return nullptr;  // a broken driver that writes nothing
  *ret_code = code;
  *out_len = static_cast<long long>(body.size());
  void* out = std::malloc(body.size() == 0 ? 1 : body.size());  // GoRay returns malloc(0)
  std::memcpy(out, body.data(), body.size());
  return out;
}

void* OtherCallback(long long, void*, long long, long long*, long long*) { return nullptr; }

class AbiTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    RegisterCallback(&FakeCallback);
    testing::internal::CaptureStderr();
    RegisterCallback(&OtherCallback);  // must be ignored, with one line on stderr
    second_register_stderr_ = testing::internal::GetCapturedStderr();
  }
  static std::string second_register_stderr_;
};
std::string AbiTest::second_register_stderr_;

TEST_F(AbiTest, GetInitOptionsReturnsTheDeclaredJson) {
  Result result = Call(0, "");
  EXPECT_EQ(result.code, 0);
  EXPECT_EQ(result.body, R"({"num_cpus": 2})");
}

TEST_F(AbiTest, StartDriverReturnsTheExitCodeInDecimal) {
  EXPECT_EQ(Call(1, "").body, "7");
  Result with_args = Call(1, R"(["a", "b"])");
  EXPECT_EQ(with_args.code, 0);
  EXPECT_EQ(with_args.body, "9");
}

TEST_F(AbiTest, TaskActorListIsSorted) {
  Result result = Call(2, "");
  ASSERT_EQ(result.code, 0);
  EXPECT_EQ(nlohmann::json::parse(result.body),
            nlohmann::json::parse(R"([["Add","AskPython","Concat3","Divide","Quadruple","Thrice",
                                      "ThrowInt","Touch","Twice"],["Counter","Greeter"]])"));
}

TEST_F(AbiTest, ActorMethodsIncludeInheritedOnes) {
  Result result = Call(3, "Greeter");
  ASSERT_EQ(result.code, 0);
  EXPECT_EQ(nlohmann::json::parse(result.body), nlohmann::json::parse(R"(["Hello","Name"])"));
  Result unknown = Call(3, "Nope");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.body.find("actor type 'Nope' not found"), std::string::npos) << unknown.body;
}

TEST_F(AbiTest, RunTaskReturnsOneValue) {
  Result result = Call(4, CallPayload("Add", int64_t{40}, int64_t{2}));
  ASSERT_EQ(result.code, 0) << result.body;
  auto values = Values(result.body);
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].get().as<int64_t>(), 42);
}

TEST_F(AbiTest, MemberFunctionsOfTheTaskStructRun) {
  EXPECT_EQ(Values(Call(4, CallPayload("Twice", 5)).body)[0].get().as<int64_t>(), 10);
  EXPECT_EQ(Values(Call(4, CallPayload("Thrice", 5)).body)[0].get().as<int64_t>(), 15);
}

TEST_F(AbiTest, ATaskOfAVirtualBaseRunsOnTheTaskStruct) {
  EXPECT_EQ(Values(Call(4, CallPayload("Quadruple", 5)).body)[0].get().as<int64_t>(), 21);
}

TEST_F(AbiTest, TupleResultsAreSeveralValuesAndVoidIsEmpty) {
  Result divide = Call(4, CallPayload("Divide", 17, 5));
  auto values = Values(divide.body);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].get().as<int64_t>(), 3);
  EXPECT_EQ(values[1].get().as<int64_t>(), 2);

  int before = g_side_effects;
  Result touch = Call(4, CallPayload("Touch"));
  EXPECT_EQ(touch.code, 0);
  EXPECT_TRUE(touch.null_pointer);
  EXPECT_EQ(g_side_effects, before + 1);
}

TEST_F(AbiTest, ExceptionsBecomeCode5WithTypeMessageAndTask) {
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("Divide", 1, 0))),
            "std::domain_error: divide by zero (task Divide)");
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("ThrowInt"))),
            "int: an exception of type int that is not a std::exception (task ThrowInt)");
}

TEST_F(AbiTest, ArgumentErrorsNameTaskPositionAndTypes) {
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("Add", 1))),
            "goray::ArgumentError: expected 2 arguments, received 1 (task Add)");
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("Add", 1, 2, 3))),
            "goray::ArgumentError: expected 2 arguments, received 3 (task Add)");
  std::string message = PanicMessage(Call(4, CallPayload("Add", 1, std::string("x"))));
  EXPECT_EQ(message, "goray::ArgumentError: position 1: expected int64_t, received str (task Add)");
}

TEST_F(AbiTest, UnknownTaskListsTheKnownOnes) {
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("Nope"))),
            "goray::UnknownNameError: task 'Nope' not found; known tasks: Add, AskPython, Concat3, "
            "Divide, Quadruple, Thrice, ThrowInt, Touch, Twice (task Nope)");
}

TEST_F(AbiTest, ResolvedRefsArePlacedByPositionNotArrivalOrder) {
  std::string payload;
  AppendUnit(payload, "Concat3");
  AppendUnit(payload, ArgsBlock(std::string("b")));
  auto resolved = [](uint64_t position, const std::string& value) {
    std::string unit;
    for (int i = 0; i < 8; ++i) unit.push_back(static_cast<char>((position >> (8 * i)) & 0xff));
    return unit + ArgsBlock(value);
  };
  AppendUnit(payload, resolved(2, "c"));
  AppendUnit(payload, resolved(0, "a"));
  Result result = Call(4, payload);
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(Values(result.body)[0].get().as<std::string>(), "abc");
}

TEST_F(AbiTest, MalformedPayloadsAreCode5NotCrashes) {
  std::string good = CallPayload("Add", 1, 2);
  // Truncated at every length: never a crash, always an error.
  for (size_t length = 0; length < good.size(); ++length) {
    Result result = Call(4, good.substr(0, length));
    EXPECT_EQ(result.code, 5) << "length " << length;
  }
  std::string huge;
  AppendUnit(huge, "Add");
  huge += std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);  // a unit claiming ~2^63 bytes
  EXPECT_NE(PanicMessage(Call(4, huge)).find("goray::ProtocolError"), std::string::npos);

  std::string bad_msgpack;
  AppendUnit(bad_msgpack, "Add");
  AppendUnit(bad_msgpack, std::string("\xc1", 1));  // never-used msgpack byte
  EXPECT_NE(PanicMessage(Call(4, bad_msgpack)).find("malformed msgpack"), std::string::npos);

  std::string forged_array;
  AppendUnit(forged_array, "Add");
  AppendUnit(forged_array, std::string("\xdd\xff\xff\xff\xff", 5));  // array32 of 4G elements
  EXPECT_EQ(Call(4, forged_array).code, 5);
}

TEST_F(AbiTest, ActorLifecycle) {
  Result created = Call(5, CallPayload("Counter", 10));
  ASSERT_EQ(created.code, 0) << created.body;
  uint64_t index = std::stoull(created.body);
  Result incr = Call(6, CallPayload("Incr", 5), index);
  ASSERT_EQ(incr.code, 0) << incr.body;
  EXPECT_EQ(Values(incr.body)[0].get().as<int64_t>(), 15);

  EXPECT_EQ(PanicMessage(Call(6, CallPayload("Nope"), index)),
            "goray::UnknownNameError: method 'Nope' not found; known methods: Incr (task Counter.Nope)");
  EXPECT_EQ(PanicMessage(Call(6, CallPayload("Incr", std::string("x")), index)),
            "goray::ArgumentError: position 0: expected int64_t, received str (task Counter.Incr)");

  EXPECT_EQ(Call(7, "", index).code, 0);
  Result closed_call = Call(6, CallPayload("Incr", 1), index);
  EXPECT_EQ(closed_call.code, 1);
  EXPECT_NE(closed_call.body.find("is closed"), std::string::npos);
  Result closed_twice = Call(7, "", index);
  EXPECT_EQ(closed_twice.code, 1);
  EXPECT_NE(closed_twice.body.find("already closed"), std::string::npos);

  EXPECT_EQ(Call(6, CallPayload("Incr", 1), 1u << 20).code, 5);  // never issued
  EXPECT_EQ(Call(7, "", 1u << 20).code, 1);
  EXPECT_EQ(PanicMessage(Call(5, CallPayload("Nope"))).rfind("goray::UnknownNameError", 0), 0u);
}

TEST_F(AbiTest, InheritedMethodsRunOnTheActor) {
  uint64_t index = std::stoull(Call(5, CallPayload("Greeter")).body);
  EXPECT_EQ(Values(Call(6, CallPayload("Hello"), index).body)[0].get().as<std::string>(),
            "hello from base");
  EXPECT_EQ(Call(7, "", index).code, 0);
}

TEST_F(AbiTest, UnknownCommandIsCode1) {
  Result result = Call(99, "");
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.body, "goray: unknown command 99");
}

TEST_F(AbiTest, SecondRegisterCallbackKeepsTheFirst) {
  EXPECT_NE(second_register_stderr_.find("keeping the first callback"), std::string::npos);
  g_driver = [](long long, std::string_view) {
    return std::make_tuple(0LL, ArgsBlock(int64_t{8}));
  };
  Result result = Call(4, CallPayload("AskPython", 4));  // reaches FakeCallback, not OtherCallback
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(Values(result.body)[0].get().as<int64_t>(), 8);
}

TEST_F(AbiTest, LocalCallSendsTheProtocolPayload) {
  std::string seen;
  long long seen_command = -1;
  g_driver = [&](long long command, std::string_view input) {
    seen_command = command;
    seen = std::string(input);
    return std::make_tuple(0LL, ArgsBlock(int64_t{6}));
  };
  EXPECT_EQ(AskPython(3), 6);
  EXPECT_EQ(seen_command, 0);
  std::string expected;
  AppendUnit(expected, ArgsBlock(int64_t{3}));
  AppendUnit(expected, R"({"go_ray_arg_pos_to_object":{},"goray_task_name":"py_double"})");
  EXPECT_EQ(seen, expected);
}

TEST_F(AbiTest, PythonFailuresBecomePythonError) {
  g_driver = [](long long, std::string_view) {
    return std::make_tuple(1LL, std::string(R"j({"Message": "ValueError: boom",
        "Traceback": "Traceback (most recent call last):\n  File x\n",
        "Error": {"type": "ValueError", "message": "boom", "task": ""}})j"));
  };
  try {
    AskPython(1);
    FAIL() << "expected goray::PythonError";
  } catch (const goray::PythonError& error) {
    EXPECT_STREQ(error.what(), "ValueError: boom (py_double)");
    EXPECT_EQ(error.type(), "ValueError");
    EXPECT_EQ(error.message(), "boom");
    EXPECT_EQ(error.traceback().rfind("Traceback (most recent call last):", 0), 0u);
  }
  // A task that lets the PythonError escape reports it as its own failure.
  EXPECT_EQ(PanicMessage(Call(4, CallPayload("AskPython", 1))), "ValueError: boom (task AskPython)");
}

TEST_F(AbiTest, ABrokenDriverThatWritesNothingIsAFailure) {
  g_driver = [](long long, std::string_view) { return std::make_tuple(-1LL, std::string()); };
  EXPECT_THROW(AskPython(1), goray::PythonError);
}

TEST_F(AbiTest, LocalResultTypeMismatchIsAClearError) {
  g_driver = [](long long, std::string_view) {
    return std::make_tuple(0LL, ArgsBlock(std::string("not a number")));
  };
  try {
    AskPython(1);
    FAIL() << "expected goray::ResultTypeError";
  } catch (const goray::ResultTypeError& error) {
    EXPECT_STREQ(error.what(),
                 "goray::ResultTypeError: expected int64_t, received str (task py_double)");
  }
}

TEST_F(AbiTest, LocalResultGetIntoAssignsOneOrSeveralTargets) {
  std::string block;
  g_driver = [&](long long, std::string_view) { return std::make_tuple(0LL, block); };
  block = ArgsBlock(std::string("one"));
  std::string text;
  goray::LocalCallPyTask("py_text").GetInto(&text);
  EXPECT_EQ(text, "one");
  block = ArgsBlock(std::int64_t{3}, std::string("two"));
  std::int64_t number = 0;
  goray::LocalCallPyTask("py_pair").GetInto(&number, &text);
  EXPECT_EQ(number, 3);
  EXPECT_EQ(text, "two");
}

TEST_F(AbiTest, PyLocalInstanceClosesExactlyOnce) {
  std::vector<long long> commands;
  std::string close_payload;
  g_driver = [&](long long command, std::string_view input) {
    commands.push_back(command);
    if (command == 2) return std::make_tuple(0LL, std::string("\x05\0\0\0\0\0\0\0", 8));
    if (command == 4) close_payload = std::string(input);
    if (command == 3) return std::make_tuple(0LL, ArgsBlock(std::string("ok")));
    return std::make_tuple(0LL, std::string());
  };
  {
    goray::PyLocalInstance instance = goray::NewPyLocalInstance("Storage");
    EXPECT_EQ(instance.id(), 5u);
    goray::PyLocalInstance copy = instance;
    EXPECT_EQ(copy.MethodCall("put", 1, 2).Get<std::string>(), "ok");
    instance.Close();
    instance.Close();
    EXPECT_THROW(copy.MethodCall("get", 1), goray::Error);
  }
  EXPECT_EQ(commands, (std::vector<long long>{2, 3, 4}));
  EXPECT_EQ(close_payload, R"({"goray_py_local_actor_id": 5})");

  commands.clear();
  { goray::PyLocalInstance dropped = goray::NewPyLocalInstance("Storage"); }
  EXPECT_EQ(commands, (std::vector<long long>{2, 4}));  // closed by the destructor
}

TEST_F(AbiTest, ConcurrentExecuteFromManyThreads) {
  g_driver = [](long long, std::string_view input) {
    // Echo the doubled argument back: parse the first unit's value.
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(input[i]);
    auto value = msgpack::unpack(input.data() + 8, length).get().as<int64_t>();
    return std::make_tuple(0LL, ArgsBlock(value * 2));
  };
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = 0; i < 500; ++i) {
        int64_t x = t * 1000 + i;
        Result added = Call(4, CallPayload("Add", x, int64_t{1}));
        Result asked = Call(4, CallPayload("AskPython", x));
        if (Values(added.body)[0].get().as<int64_t>() != x + 1) ++wrong;
        if (Values(asked.body)[0].get().as<int64_t>() != 2 * x) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
}

TEST_F(AbiTest, ReentrantExecuteFromInsideACallback) {
  // C++ task -> driver callback -> Execute(RunTask) -> C++ task, on one thread.
  g_driver = [](long long, std::string_view) {
    Result inner = Call(4, CallPayload("Add", int64_t{20}, int64_t{1}));
    return std::make_tuple(inner.code, inner.body);
  };
  Result result = Call(4, CallPayload("AskPython", 0));
  ASSERT_EQ(result.code, 0) << result.body;
  EXPECT_EQ(Values(result.body)[0].get().as<int64_t>(), 21);
}

}  // namespace

// Of runtime/src, this file exercises calls_in/dispatcher.cpp, calls_in/call_command.h,
// calls_in/serve_call.cpp, calls_in/incoming_call.cpp, calls_in/callee.cpp,
// calls_in/run_callee.cpp, calls_in/application_commands.cpp, calls_in/actor_instances.cpp,
// calls_out/callback_slot.cpp, calls_out/local.cpp, application/application.cpp,
// abi/registration.cpp, framing/framing.cpp most directly (docs/testing.md, "Finding a
// module's tests").
