// Failures as structure (docs/protocol.md §9): every code-5 reply
// carries an "Error" member beside GoRay's Message and Traceback, and the runtime
// builds its exceptions from that member, never from the Message text.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "abi_call.h"
#include "goray/abi.h"
#include "goray/detail/driver_call.h"
#include "goray/goray.h"
#include "test_application.h"

// A struct parameter (its adaptor as goray-gen writes one): a field that fails names its
// path and struct in the member.
namespace failure_payload_test {
struct Point {
  double lat = 0;
  double lon = 0;
  std::optional<std::string> label;
};
}  // namespace failure_payload_test

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {
template <>
struct convert<::failure_payload_test::Point> {
  const msgpack::object& operator()(const msgpack::object& object,
                                    ::failure_payload_test::Point& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("lat", value.lat);
    decoder.Field("lon", value.lon);
    decoder.Field("label", value.label);
    decoder.End();
    return object;
  }
};
}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace {

double Locate(int64_t index, const failure_payload_test::Point& p) {
  return static_cast<double>(index) + p.lat + p.lon;
}

struct Counter {
  explicit Counter(int64_t start) : value(start) {}
  int64_t Incr(int64_t by) { return value += by; }
  int64_t value;
};

int64_t Add(int64_t a, int64_t b) { return a + b; }
int64_t AddSome(int64_t a, int64_t b = 1) { return a + b; }
int64_t Fail() { throw std::domain_error("divide by zero"); }
int64_t ThrowInt() { throw 42; }
// A goray::Error without a type: Message is its text alone.
int64_t Untyped() { throw goray::Error("", "untyped failure"); }

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Add", &Add);
  registry.AddTask("AddSome", &AddSome, [](int64_t a) { return AddSome(a); });
  registry.AddTask("Fail", &Fail);
  registry.AddTask("ThrowInt", &ThrowInt);
  registry.AddTask("Untyped", &Untyped);
  registry.AddTask("Locate", &Locate);
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", &Counter::Incr);
}

namespace {

using abi_call::Call;
using abi_call::CallPayload;
using abi_call::Result;

// Execute's reply to a failing command, which must be code 5: the parsed payload.
nlohmann::json Failure(long long command, std::string payload, uint64_t index = 0) {
  Result result = Call(command, std::move(payload), index);
  EXPECT_EQ(result.code, 5) << result.body;
  return nlohmann::json::parse(result.body);
}

uint64_t NewCounter() {
  Result made = Call(5, CallPayload("Counter", int64_t{0}));
  EXPECT_EQ(made.code, 0) << made.body;
  return std::stoull(made.body);
}

TEST(FailurePayload, AnArgumentErrorCarriesTaskPositionAndTypes) {
  nlohmann::json failure = Failure(4, CallPayload("Add", int64_t{1}, std::string("x")));
  EXPECT_EQ(failure["Error"], nlohmann::json::parse(R"x({"type": "goray::ArgumentError",
      "message": "position 1: expected int64_t, received str", "task": "Add", "position": 1,
      "expected": "int64_t", "received": "str"})x"));
  // GoRay's driver reads only these two, unchanged.
  EXPECT_EQ(failure["Message"], "goray::ArgumentError: position 1: expected int64_t, received str (task Add)");
  EXPECT_EQ(failure["Traceback"], "");
}

TEST(FailurePayload, AStructArgumentsFieldProblemCarriesItsPathAndStruct) {
  using Map = std::map<std::string, double>;
  EXPECT_EQ(Failure(4, CallPayload("Locate", int64_t{1}, Map{{"lat", 52.5}}))["Error"],
            nlohmann::json::parse(R"x({"type": "goray::ArgumentError",
      "message": "position 1: expected failure_payload_test::Point, received map without field .lon (double, in failure_payload_test::Point)",
      "task": "Locate", "position": 1, "expected": "failure_payload_test::Point",
      "received": "map without field .lon (double, in failure_payload_test::Point)",
      "path": ".lon", "struct": "failure_payload_test::Point"})x"));
  nlohmann::json unknown =
      Failure(4, CallPayload("Locate", int64_t{1}, Map{{"lat", 1}, {"lon", 2}, {"z", 3}}))["Error"];
  EXPECT_EQ(unknown["path"], ".z");
  EXPECT_EQ(unknown["struct"], "failure_payload_test::Point");
  // A value of the wrong type inside names its path, and no struct.
  nlohmann::json typed = Failure(4, CallPayload("Locate", int64_t{1},
                                                std::map<std::string, std::string>{
                                                    {"lat", "x"}, {"lon", "y"}}))["Error"];
  EXPECT_EQ(typed["path"], ".lat");
  EXPECT_FALSE(typed.contains("struct"));
  // The whole argument of the wrong type: neither.
  nlohmann::json whole = Failure(4, CallPayload("Locate", int64_t{1}, int64_t{2}))["Error"];
  EXPECT_FALSE(whole.contains("path"));
  EXPECT_FALSE(whole.contains("struct"));
}

TEST(FailurePayload, AWrongCountHasNoPositionAndCountsAsTypes) {
  EXPECT_EQ(Failure(4, CallPayload("Add", int64_t{1}, int64_t{2}, int64_t{3}))["Error"],
            nlohmann::json::parse(R"x({"type": "goray::ArgumentError",
                "message": "expected 2 arguments, received 3", "task": "Add", "position": null,
                "expected": "2 arguments", "received": "3 arguments"})x"));
  nlohmann::json error = Failure(4, CallPayload("AddSome"))["Error"];
  EXPECT_EQ(error["expected"], "1 to 2 arguments");
  EXPECT_EQ(error["received"], "0 arguments");
  EXPECT_EQ(error["message"], "expected 1 to 2 arguments, received 0");
  EXPECT_EQ(Failure(5, CallPayload("Counter"))["Error"]["expected"], "1 argument");
}

TEST(FailurePayload, UnknownNamesCarryKindNameAndTheKnownOnes) {
  EXPECT_EQ(Failure(4, CallPayload("Nope"))["Error"], nlohmann::json::parse(R"x({
      "type": "goray::UnknownNameError", "task": "Nope", "kind": "task", "name": "Nope",
      "known": ["Add", "AddSome", "Fail", "Locate", "ThrowInt", "Untyped"],
      "message": "task 'Nope' not found; known tasks: Add, AddSome, Fail, Locate, ThrowInt, Untyped"})x"));
  nlohmann::json actor = Failure(5, CallPayload("Nope"))["Error"];
  EXPECT_EQ(actor["kind"], "actor type");
  EXPECT_EQ(actor["known"], nlohmann::json::array({"Counter"}));

  const uint64_t counter = NewCounter();
  nlohmann::json method = Failure(6, CallPayload("Decr"), counter)["Error"];
  EXPECT_EQ(method["kind"], "method");
  EXPECT_EQ(method["name"], "Decr");
  EXPECT_EQ(method["known"], nlohmann::json::array({"Incr"}));
  EXPECT_EQ(method["task"], "Counter.Decr");

  nlohmann::json instance = Failure(6, CallPayload("Incr", int64_t{1}), 999);
  EXPECT_EQ(instance["Error"], nlohmann::json::parse(R"x({"type": "goray::UnknownNameError",
      "message": "unknown actor instance 999", "task": "Incr", "kind": "actor instance",
      "name": "999", "known": []})x"));
  EXPECT_EQ(instance["Message"], "goray::UnknownNameError: unknown actor instance 999 (task Incr)");
}

TEST(FailurePayload, OtherExceptionsCarryTypeMessageAndTask) {
  EXPECT_EQ(Failure(4, CallPayload("Fail"))["Error"], nlohmann::json::parse(R"x({
      "type": "std::domain_error", "message": "divide by zero", "task": "Fail"})x"));
  EXPECT_EQ(Failure(4, CallPayload("ThrowInt"))["Error"]["type"], "int");
  nlohmann::json untyped = Failure(4, CallPayload("Untyped"));
  EXPECT_EQ(untyped["Error"]["type"], "");
  EXPECT_EQ(untyped["Message"], "untyped failure (task Untyped)");
}

// The reading side: a driver's code-5 payload becomes the exception its member names.
template <class Exception>
Exception Thrown(long long code, std::string_view payload, std::string_view callee) {
  try {
    goray::detail::ThrowDriverFailure(code, payload, callee);
  } catch (const Exception& error) {
    return error;
  }
  ADD_FAILURE() << "no " << typeid(Exception).name() << " for " << payload;
  throw std::logic_error("unreachable");
}

TEST(FailurePayload, TheRuntimeReadsTheMemberNotTheMessage) {
  // The Message says something else on purpose: only the member counts.
  auto error = Thrown<goray::TaskError>(5, R"x({"Message": "x: y (task z)", "Traceback": "tb",
      "Error": {"type": "std::domain_error", "message": "divide: by zero (task w)",
                "task": "Divide"}})x", "object 1");
  EXPECT_EQ(error.type(), "std::domain_error");
  EXPECT_EQ(error.message(), "divide: by zero (task w)");
  EXPECT_EQ(error.task(), "Divide");
  EXPECT_EQ(error.traceback(), "tb");
  EXPECT_STREQ(error.what(), "std::domain_error: divide: by zero (task w) (task Divide)");
}

TEST(FailurePayload, RayLossesBecomeTheirExceptions) {
  auto worker = Thrown<goray::WorkerDiedError>(5, R"x({"Message": "", "Traceback": "",
      "Error": {"type": "ray.exceptions.WorkerCrashedError", "message": "gone", "task": "T"}})x",
                                               "object 2");
  EXPECT_EQ(worker.task(), "T");
  Thrown<goray::ActorDiedError>(5, R"x({"Message": "", "Traceback": "",
      "Error": {"type": "ray.exceptions.ActorUnavailableError", "message": "", "task": ""}})x",
                                "C.M");
  // A type that merely contains a loss's name is an ordinary failure.
  auto other = Thrown<goray::TaskError>(5, R"x({"Message": "", "Traceback": "",
      "Error": {"type": "mine.NotAnActorDiedErrorAtAll", "message": "m", "task": ""}})x", "C.M");
  EXPECT_EQ(other.task(), "C.M");  // an empty task: the callee
}

TEST(FailurePayload, APayloadWithoutTheMemberIsAnUntypedMessage) {
  // A Go panic, or a producer that writes only GoRay's two members.
  auto error = Thrown<goray::TaskError>(5, R"x({"Message": "runtime error: index out of range",
      "Traceback": "goroutine 1"})x", "Fail");
  EXPECT_EQ(error.type(), "");
  EXPECT_EQ(error.message(), "runtime error: index out of range");
  EXPECT_EQ(error.task(), "Fail");
  EXPECT_EQ(error.traceback(), "goroutine 1");
  auto text = Thrown<goray::TaskError>(5, "not json: at all", "Fail");
  EXPECT_EQ(text.message(), "not json: at all");
  EXPECT_EQ(text.type(), "");
}

// Code 1 from the driver (Native2Py): a library of protocol version 4 reads the member.
TEST(FailurePayload, APythonFailureIsReadFromTheMember) {
  EXPECT_GE(GorayProtocolVersion(), 4);
  auto error = Thrown<goray::PythonError>(1, R"x({"Message": "x: y", "Traceback": "Traceback ...",
      "Error": {"type": "goray.ArgumentError", "message": "position 0: expected int, received str: (task f)",
                "task": "f", "position": 0, "expected": "int", "received": "str"}})x", "py_f");
  EXPECT_EQ(error.type(), "goray.ArgumentError");
  EXPECT_EQ(error.message(), "position 0: expected int, received str: (task f)");
  EXPECT_EQ(error.task(), "py_f");
  EXPECT_EQ(error.traceback(), "Traceback ...");
}

TEST(FailurePayload, PythonTextIsTheMessageUntouched) {
  // GoRay's driver answers text; nothing in it is taken apart.
  auto error = Thrown<goray::PythonError>(
      1, "[goray error] python run task error: ValueError: x\n\nTraceback (most recent call last):", "f");
  EXPECT_EQ(error.type(), "PythonError");
  EXPECT_EQ(error.message(), "[goray error] python run task error: ValueError: x\n\nTraceback (most recent call last):");
  EXPECT_EQ(error.traceback(), "");
}

}  // namespace

// Of runtime/src, this file exercises calls_in/reply.cpp, errors/compose_what.h most directly
// (docs/testing.md, "Finding a module's tests").
