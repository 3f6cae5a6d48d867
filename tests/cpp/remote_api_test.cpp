// The C++ Ray API (RemoteCall, Get, Put, Wait, Cancel, actors, lifetimes) against
// a fake driver: the exact Native2Py requests it sends and how it reads replies.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "fake_driver.h"
#include "goray/goray.h"
#include "test_application.h"

extern "C" void RegisterCallback(void* (*cb)(long long, void*, long long, long long*, long long*));

namespace {

struct Counter {
  int64_t Incr(int64_t by) { return n += by; }
  int64_t Get() const { return n; }
  int64_t n = 0;
};

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Square", [](double x) { return x * x; });
  registry.AddActor<Counter>("Counter", [] { return Counter{}; })
      .AddMethod("Incr", &Counter::Incr)
      .AddMethod("Get", &Counter::Get);
}

namespace {

struct Request {
  long long command;
  std::string payload;
};

std::vector<Request> g_requests;
std::function<std::tuple<long long, std::string>(const Request&)> g_answer;

void* FakeDriver(long long request, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  Request seen{request, std::string(static_cast<char*>(in_data), in_data ? in_len : 0)};
  g_requests.push_back(seen);
  auto [code, body] = g_answer ? g_answer(seen) : std::make_tuple(0LL, std::string());
  return fake_driver::Reply(code, body, out_len, ret_code);
}

std::string Id(uint64_t id) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return bytes;
}

using fake_driver::Packed;

using fake_driver::Units;

class RemoteApiTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    g_requests.clear();
    g_answer = nullptr;
  }
};

TEST_F(RemoteApiTest, RemoteCallSendsArgsRefsAndOptions) {
  g_answer = [](const Request& request) {
    if (request.command == 7) return std::make_tuple(0LL, Id(3));  // Put
    return std::make_tuple(0LL, Id(9));
  };
  {
    goray::ObjectRef input = goray::Put(2.5);
    goray::ObjectRef ref = goray::RemoteCall("Square", 1, input, std::string("x"),
                                             goray::Option("num_cpus", 1),
                                             goray::Option("resources", std::map<std::string, double>{{"A", 0.5}}));
    EXPECT_EQ(ref.id(), 9u);
    ASSERT_EQ(g_requests.size(), 2u);
    EXPECT_EQ(g_requests[0].command, 7);
    EXPECT_EQ(g_requests[0].payload, Packed(2.5));
    EXPECT_EQ(g_requests[1].command, 5);
    auto [args, json] = Units(g_requests[1].payload);
    EXPECT_EQ(args, Packed(1, std::string("x")));  // the ref is not in the args block
    EXPECT_EQ(json, nlohmann::json::parse(R"({"num_cpus": 1, "resources": {"A": 0.5},
        "go_ray_arg_pos_to_object": {"1": {"id": 3, "auto_release": false}},
        "goray_task_name": "Square"})"));
  }
  // Both refs released exactly once, when their last copies died.
  std::vector<std::string> released;
  for (const auto& request : g_requests) {
    if (request.command == 10) released.push_back(request.payload);
  }
  EXPECT_EQ(released.size(), 2u);
  EXPECT_NE(std::find(released.begin(), released.end(), Id(3)), released.end());
  EXPECT_NE(std::find(released.begin(), released.end(), Id(9)), released.end());
}

TEST_F(RemoteApiTest, MetaKeysWinOverUserOptions) {
  g_answer = [](const Request&) { return std::make_tuple(0LL, Id(1)); };
  goray::RemoteCall("Square", 2.0, goray::Option("goray_task_name", "evil"));
  auto text = g_requests[0].payload;
  auto json = Units(text).second;  // nlohmann keeps the last duplicate, as Python's json does
  EXPECT_EQ(json["goray_task_name"], "Square");
}

TEST_F(RemoteApiTest, GetDecodesNativeBlocksAndPythonValues) {
  std::string stored;
  long long stored_code = 0;
  g_answer = [&](const Request& request) {
    if (request.command == 6) return std::make_tuple(stored_code, stored);
    return std::make_tuple(0LL, Id(4));
  };
  goray::ObjectRef ref = goray::RemoteCall("Divide", 7, 2);

  stored = Packed(int64_t{3}, int64_t{1});  // a native two-value block
  auto [q, r] = goray::Get<int64_t, int64_t>(ref);
  EXPECT_EQ(q, 3);
  EXPECT_EQ(r, 1);
  stored = Packed(std::vector<int64_t>{5, 6});  // a Python result: one list
  auto [a, b] = ref.Get<int64_t, int64_t>();
  EXPECT_EQ(a + b, 11);
  int64_t x = 0, y = 0;
  ref.GetInto(&x, &y);
  EXPECT_EQ(x, 5);
  EXPECT_EQ(y, 6);
  std::vector<int64_t> whole;
  ref.GetInto(&whole);  // one target: the value itself
  EXPECT_EQ(whole, (std::vector<int64_t>{5, 6}));

  nlohmann::json get_request = nlohmann::json::parse(g_requests.back().payload);
  EXPECT_EQ(get_request, nlohmann::json::parse("[4, -1, false]"));
  ref.Get<std::vector<int64_t>>(std::chrono::milliseconds(1500));
  EXPECT_EQ(nlohmann::json::parse(g_requests.back().payload)[1].get<double>(), 1.5);

  stored = Packed(std::string("text"));
  try {
    ref.Get<int64_t>();
    FAIL();
  } catch (const goray::ResultTypeError& error) {
    EXPECT_STREQ(error.what(), "goray::ResultTypeError: expected int64_t, received str (task Divide, object 4)");
  }
  stored = Packed(1e40);
  try {
    ref.Get<float>();
    FAIL();
  } catch (const goray::ResultTypeError& error) {
    EXPECT_STREQ(error.what(),
                 "goray::ResultTypeError: expected float, received float64 1e+40 (task Divide, object 4)");
  }
  stored = Packed(1, 2, 3);
  EXPECT_THROW((ref.Get<int64_t, int64_t>()), goray::ResultTypeError);
}

// A result that does not decode names the task or method it came from, not only its id.
TEST_F(RemoteApiTest, ResultErrorsNameTheTaskOrMethodTheRefCameFrom) {
  g_answer = [](const Request& request) {
    if (request.command == 6) return std::make_tuple(0LL, Packed(std::string("text")));
    if (request.command == 13) return std::make_tuple(0LL, Id(31));
    return std::make_tuple(0LL, Id(request.command == 7 ? 3 : 2));
  };
  auto error_of = [](const goray::ObjectRef& ref) -> std::string {
    try {
      ref.Get<int64_t>();
    } catch (const goray::ResultTypeError& error) {
      return error.what();
    }
    return "<no ResultTypeError>";
  };
  goray::ObjectRef task = goray::RemoteCall("Divide", 7, 2);
  EXPECT_EQ(task.origin(), "Divide");
  EXPECT_EQ(error_of(task), "goray::ResultTypeError: expected int64_t, received str (task Divide, object 2)");
  goray::ObjectRef python = goray::RemoteCallPyTask("math.fsum", std::vector<double>{1, 2});
  EXPECT_EQ(error_of(python),
            "goray::ResultTypeError: expected int64_t, received str (task math.fsum, object 2)");
  goray::ActorHandle counter = goray::NewActor("Counter");
  goray::ObjectRef method = counter.RemoteCall("Incr", 2);
  EXPECT_EQ(error_of(method),
            "goray::ResultTypeError: expected int64_t, received str (task Counter.Incr, object 31)");
  goray::Future<int64_t> future(method);  // a Future keeps it
  EXPECT_EQ(future.origin(), "Counter.Incr");
  goray::ObjectRef copy = task;
  EXPECT_EQ(copy.origin(), "Divide");
  // A Put is no task's result: its id alone.
  goray::ObjectRef put = goray::Put(std::string("x"));
  EXPECT_EQ(put.origin(), "");
  EXPECT_EQ(error_of(put), "goray::ResultTypeError: expected int64_t, received str (task object 3)");
  // Getting several at once names the one that failed.
  try {
    goray::Get<std::string>(std::vector<goray::ObjectRef>{put, method});
    goray::Get<int64_t>(std::vector<goray::ObjectRef>{put, method});
    FAIL();
  } catch (const goray::ResultTypeError& error) {
    EXPECT_STREQ(error.what(), "goray::ResultTypeError: expected int64_t, received str (task object 3)");
  }
  try {
    goray::Get<int64_t>(std::vector<goray::ObjectRef>{method, put});
    FAIL();
  } catch (const goray::ResultTypeError& error) {
    EXPECT_STREQ(error.what(),
                 "goray::ResultTypeError: expected int64_t, received str (task Counter.Incr, object 31)");
  }
}

TEST_F(RemoteApiTest, GetMapsCodesToExceptions) {
  std::string body;
  long long code = 0;
  g_answer = [&](const Request& request) {
    if (request.command == 6) return std::make_tuple(code, body);
    return std::make_tuple(0LL, Id(1));
  };
  goray::ObjectRef ref = goray::RemoteCall("Square", 1.0);
  code = 2, body = "timed out";
  EXPECT_THROW(ref.Get<double>(std::chrono::seconds(0)), goray::TimeoutError);
  code = 3, body = "cancelled";
  EXPECT_THROW(ref.Get<double>(), goray::CancelledError);
  code = 4, body = "unknown ref";
  EXPECT_THROW(ref.Get<double>(), goray::ObjectRefNotFoundError);
  code = 5, body = R"x({"Message": "std::domain_error: divide by zero (task Divide)", "Traceback": "tb",
      "Error": {"type": "std::domain_error", "message": "divide by zero", "task": "Divide"}})x";
  try {
    ref.Get<double>();
    FAIL();
  } catch (const goray::TaskError& error) {
    EXPECT_EQ(error.type(), "std::domain_error");
    EXPECT_EQ(error.message(), "divide by zero");
    EXPECT_EQ(error.task(), "Divide");
    EXPECT_STREQ(error.what(), "std::domain_error: divide by zero (task Divide)");
    EXPECT_EQ(error.traceback(), "tb");
  }
}

TEST_F(RemoteApiTest, WaitSplitsReadyAndPending) {
  uint64_t next = 20;
  g_answer = [&](const Request& request) {
    if (request.command == 8) return std::make_tuple(0LL, std::string("[[1], [0, 2]]"));
    return std::make_tuple(0LL, Id(next++));
  };
  std::vector<goray::ObjectRef> refs = {goray::RemoteCall("Square", 1.0), goray::RemoteCall("Square", 2.0),
                                        goray::RemoteCall("Square", 3.0)};
  auto [ready, pending] = goray::Wait(refs, 1, std::chrono::seconds(2));
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].id(), 21u);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(g_requests.back().payload),
            nlohmann::json::parse(R"({"num_returns": 1, "object_ref_local_ids": [20, 21, 22], "timeout": 2.0})"));
  EXPECT_THROW(goray::Wait(refs, 4), std::invalid_argument);
}

TEST_F(RemoteApiTest, CancelSendsOptionsAndId) {
  g_answer = [](const Request&) { return std::make_tuple(0LL, Id(8)); };
  goray::ObjectRef ref = goray::RemoteCall("Square", 1.0);
  g_answer = [](const Request&) { return std::make_tuple(0LL, std::string()); };
  ref.Cancel(goray::Option("force", true));
  EXPECT_EQ(g_requests.back().command, 9);
  EXPECT_EQ(nlohmann::json::parse(g_requests.back().payload),
            nlohmann::json::parse(R"({"force": true, "object_ref_local_id": 8})"));
}

TEST_F(RemoteApiTest, NativeActorsCarryTheirMethodList) {
  g_answer = [](const Request& request) {
    if (request.command == 13) return std::make_tuple(0LL, Id(31));
    return std::make_tuple(0LL, Id(2));
  };
  {
    goray::ActorHandle counter = goray::NewActor("Counter", goray::Option("name", "c1"));
    auto [args, json] = Units(g_requests[0].payload);
    EXPECT_EQ(g_requests[0].command, 11);
    EXPECT_EQ(args, "");
    EXPECT_EQ(json, nlohmann::json::parse(R"({"name": "c1", "go_ray_arg_pos_to_object": {},
        "goray_actor_type_name": "Counter", "goray_actor_methods": ["Get", "Incr"]})"));
    goray::ActorHandle copy = counter;
    goray::ObjectRef ref = copy.RemoteCall("Incr", 2);
    EXPECT_EQ(ref.id(), 31u);
    auto call = Units(g_requests[1].payload);
    EXPECT_EQ(g_requests[1].command, 13);
    EXPECT_EQ(call.first, Packed(2));
    EXPECT_EQ(call.second["goray_task_name"], "Incr");
    EXPECT_EQ(call.second["goray_py_local_actor_id"], 2);
    counter.Kill(goray::Option("no_restart", true));
    EXPECT_EQ(nlohmann::json::parse(g_requests.back().payload),
              nlohmann::json::parse(R"({"no_restart": true, "goray_py_local_actor_id": 2})"));
  }
  int releases = 0;
  for (const auto& request : g_requests) releases += request.command == 32 && request.payload == Id(2);
  EXPECT_EQ(releases, 1);
  EXPECT_THROW(goray::NewActor("Nope"), goray::UnknownNameError);
}

TEST_F(RemoteApiTest, PythonTasksActorsAndNamedActors) {
  g_answer = [](const Request& request) {
    if (request.command == 15) {
      return std::make_tuple(0LL, std::string(R"({"py_local_id": 7, "actor_type_name": "Storage", "is_golang_actor": false})"));
    }
    return std::make_tuple(0LL, Id(5));
  };
  goray::ObjectRef sum = goray::RemoteCallPyTask("math.fsum", std::vector<double>{1, 2});
  EXPECT_EQ(g_requests[0].command, 16);
  EXPECT_EQ(Units(g_requests[0].payload).second["task_name"], "math.fsum");
  goray::ActorHandle storage = goray::NewPyActor("Storage", goray::Option("num_cpus", 0.5));
  EXPECT_EQ(g_requests[1].command, 12);
  goray::ActorHandle named = goray::GetActor("store", goray::Option("namespace", "ns"));
  EXPECT_EQ(named.id(), 7u);
  EXPECT_EQ(named.type_name(), "Storage");
  EXPECT_FALSE(named.is_native());
  EXPECT_EQ(nlohmann::json::parse(g_requests[2].payload),
            nlohmann::json::parse(R"({"namespace": "ns", "name": "store"})"));
}

TEST_F(RemoteApiTest, FuturesAreTypedRefs) {
  g_answer = [](const Request& request) {
    if (request.command == 6) return std::make_tuple(0LL, Packed(4.0));
    return std::make_tuple(0LL, Id(12));
  };
  goray::Future<double> future(goray::RemoteCall("Square", 2.0));
  EXPECT_EQ(future.Get(), 4.0);
  // goray::Get deduces a Future's types, as goray::Get(futures) does.
  static_assert(std::is_same_v<decltype(goray::Get(future)), double>);
  EXPECT_EQ(goray::Get(future), 4.0);
  EXPECT_EQ(goray::Get(future, std::chrono::seconds(5)), 4.0);
  EXPECT_EQ(goray::Get<double>(future), 4.0);  // naming the type still works
  goray::Future<std::string, int64_t> pair(goray::RemoteCall("Pair"));
  static_assert(std::is_same_v<decltype(goray::Get(pair)), std::tuple<std::string, int64_t>>);
  std::vector<goray::ObjectRef> refs = {future};
  EXPECT_EQ(refs[0].id(), 12u);
  goray::ObjectRef squared = goray::RemoteCall("Square", future);  // a Future passes as a ref
  EXPECT_EQ(g_requests.back().command, 5);
  EXPECT_EQ(Units(g_requests.back().payload).second["go_ray_arg_pos_to_object"]["0"]["id"], 12);
}

TEST_F(RemoteApiTest, MovedFromHandlesSayWhatHappened) {
  g_answer = [](const Request&) { return std::make_tuple(0LL, Id(1)); };
  goray::ObjectRef ref = goray::RemoteCall("Square", 1.0);
  goray::ObjectRef taken = std::move(ref);
  try {
    (void)ref.id();  // NOLINT(bugprone-use-after-move): the point of the test
    FAIL();
  } catch (const goray::Error& error) {
    EXPECT_STREQ(error.what(), "goray::Error: use of a moved-from ObjectRef");
  }
}

}  // namespace

// Of runtime/src, this file exercises refs/actor_handle.cpp, refs/object_ref.cpp,
// calls_out/call_driver.cpp most directly (docs/testing.md, "Finding a module's tests").
