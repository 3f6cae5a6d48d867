// goray/detail/typed_call.h, what generated wrappers are made of: which arguments the
// constraints take, what a call keeps of each (arrays never copied), and that Remote()
// sends the task, actor creation or method call a fake driver sees.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fake_driver.h"
#include "goray/detail/typed_call.h"
#include "goray/goray.h"
#include "test_application.h"

extern "C" void RegisterCallback(void* (*cb)(long long, void*, long long, long long*, long long*));

namespace {

struct Counter {
  int64_t Incr(int64_t by) { return n += by; }
  const int64_t& Peek(const std::string&) const { return n; }
  int64_t n = 0;
};

double Square(double x) { return x * x; }
std::tuple<int64_t, std::string> Pair(const int64_t&, std::string) { return {}; }

// A typed handle, as NAME.goray.h declares one per actor type.
class CounterHandle : public goray::ActorHandle {
 public:
  CounterHandle() = default;
  explicit CounterHandle(goray::ActorHandle actor) : goray::ActorHandle(std::move(actor)) {}
};

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddTask("Square", &Square);
  registry.AddActor<Counter>("Counter", [](int64_t n) { return Counter{n}; })
      .AddMethod("Incr", &Counter::Incr);
}

namespace {

using goray::Array;
using goray::ArrayView;
using goray::Future;
using goray::ObjectRef;
using goray::detail::ArgFor;
using goray::detail::Stored;
using goray::detail::UnresolvedFor;

// ---- the constraints: what a wrapper's parameter of type T accepts ------------------------

// A value converting to T, or a ref to a T...
static_assert(ArgFor<double, double>);
static_assert(ArgFor<double, int>);
static_assert(ArgFor<double, const double&>);
static_assert(ArgFor<double, ObjectRef>);
static_assert(ArgFor<double, Future<double>&>);
static_assert(ArgFor<std::string, const char (&)[3]>);
// ...not a ref of another type, nor a value that does not convert.
static_assert(!ArgFor<double, Future<int64_t>>);
static_assert(!ArgFor<double, std::string>);
static_assert(!ArgFor<std::string, double>);
// An array parameter takes an Array, a view or a Future of an Array of its element only.
static_assert(ArgFor<Array<double>, Array<double>&>);
static_assert(ArgFor<Array<double>, ArrayView<double>>);
static_assert(ArgFor<Array<double>, Future<Array<double>>>);
static_assert(!ArgFor<Array<double>, Array<float>>);
static_assert(!ArgFor<Array<double>, ArrayView<int64_t>>);
// A ref parameter (received unresolved) takes a Future of its type or any ObjectRef, never
// a value.
static_assert(UnresolvedFor<ObjectRef, ObjectRef>);
static_assert(UnresolvedFor<ObjectRef, Future<double>>);
static_assert(UnresolvedFor<Future<double>, Future<double>&>);
static_assert(UnresolvedFor<Future<double>, ObjectRef>);
static_assert(!UnresolvedFor<Future<double>, Future<int64_t>>);
static_assert(!UnresolvedFor<Future<double>, double>);
// kIsRef is call_builder.h's, the one the runtime encodes arguments by.
static_assert(goray::detail::kIsRef<Future<double>&> && !goray::detail::kIsRef<double>);

// ---- what a call keeps -----------------------------------------------------------------------

static_assert(std::is_same_v<Stored<double, int>, double>);
static_assert(std::is_same_v<Stored<double, Future<double>&>, ObjectRef>);
static_assert(std::is_same_v<Stored<Array<double>, Array<double>&>, ArrayView<double>>);
static_assert(std::is_same_v<Stored<Array<double>, const Array<double>&>, ArrayView<double>>);
static_assert(std::is_same_v<Stored<Array<double>, Array<double>>, Array<double>>);
static_assert(std::is_same_v<Stored<Array<double>, ArrayView<double>>, ArrayView<double>>);
static_assert(std::is_same_v<Stored<Array<double>, Future<Array<double>>>, ObjectRef>);

// ---- the generated units' checks ---------------------------------------------------------

static_assert(goray::detail::kParamsAre<decltype(&Square), double>);
static_assert(!goray::detail::kParamsAre<decltype(&Square), float>);
static_assert(goray::detail::kResultIs<decltype(&Square), double>);
static_assert(goray::detail::kParamsAre<decltype(&Pair), int64_t, std::string>);
static_assert(goray::detail::kResultIs<decltype(&Pair), std::tuple<int64_t, std::string>>);
static_assert(goray::detail::kParamsAre<decltype(&Counter::Peek), std::string>);
static_assert(goray::detail::kResultIs<decltype(&Counter::Peek), int64_t>);

// ---- Remote() takes options only -----------------------------------------------------------

using SquareCall = goray::detail::TaskCall<Future<double>, double>;
template <class... A>
constexpr bool kRemoteTakes = requires(const SquareCall& call, A... a) { call.Remote(a...); };
static_assert(kRemoteTakes<>);
static_assert(kRemoteTakes<goray::Option, const goray::Option&>);
static_assert(!kRemoteTakes<double>);
static_assert(!kRemoteTakes<goray::Option, int>);

// A wrapper shaped as goray-gen writes one.
template <class A0 = double>
  requires ArgFor<double, A0>
auto SquareWrapper(A0&& x) {
  return goray::detail::TaskCall<Future<double>, Stored<double, A0>>("Square", std::forward<A0>(x));
}
template <class A0 = Array<double>>
  requires ArgFor<Array<double>, A0>
auto EchoWrapper(A0&& values) {
  return goray::detail::TaskCall<Future<Array<double>>, Stored<Array<double>, A0>>(
      "Echo", std::forward<A0>(values));
}

// ---- a fake driver: the requests Remote() sends --------------------------------------------

struct Request {
  long long command;
  std::string payload;
};

std::vector<Request> g_requests;  // every request but releases (command 10)
uint64_t g_next_id = 40;

std::string Id(uint64_t id) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return bytes;
}

// Each call, creation and put gets the next id (an actor 2); a release gets nothing.
void* FakeDriver(long long request, void* in_data, long long in_len, long long* out_len,
                 long long* ret_code) {
  std::string body;
  if (request != 10) {
    g_requests.push_back({request, std::string(static_cast<char*>(in_data), in_data ? in_len : 0)});
    body = Id(request == 11 ? 2 : g_next_id++);
  }
  return fake_driver::Reply(0, body, out_len, ret_code);
}

// The one value of an args block.
msgpack::object_handle Unpacked(const std::string& args) { return msgpack::unpack(args.data(), args.size()); }

using fake_driver::Units;

class TypedCallTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { RegisterCallback(&FakeDriver); }
  void SetUp() override {
    g_requests.clear();
    g_next_id = 40;
  }
};

TEST_F(TypedCallTest, TaskCallSendsConvertedValuesRefsAndOptions) {
  Future<double> input(goray::RemoteCall("Square", 1.0));  // id 40
  Future<double> result = SquareWrapper(3).Remote(goray::Option("num_cpus", 2));
  EXPECT_EQ(result.id(), 41u);
  ASSERT_EQ(g_requests.size(), 2u);
  EXPECT_EQ(g_requests[1].command, 5);
  auto [args, json] = Units(g_requests[1].payload);
  // The int argument was kept as the parameter's double.
  EXPECT_EQ(Unpacked(args).get().type, msgpack::type::FLOAT64);
  EXPECT_EQ(Unpacked(args).get().as<double>(), 3.0);
  EXPECT_EQ(json["goray_task_name"], "Square");
  EXPECT_EQ(json["num_cpus"], 2);

  // A Future of the parameter's type goes by reference, out of the args block.
  Future<double> chained = SquareWrapper(input).Remote();
  EXPECT_EQ(chained.id(), 42u);
  auto [ref_args, ref_json] = Units(g_requests[2].payload);
  EXPECT_EQ(ref_args, "");
  EXPECT_EQ(ref_json["go_ray_arg_pos_to_object"]["0"]["id"], 40);

  // A call can be submitted again: it keeps its arguments.
  auto call = SquareWrapper(5.0);
  EXPECT_EQ(call.Remote().id(), 43u);
  EXPECT_EQ(call.Remote().id(), 44u);
  EXPECT_EQ(Unpacked(Units(g_requests[4].payload).first).get().as<double>(), 5.0);
}

TEST_F(TypedCallTest, AnArrayPassedAsAnLvalueIsReadWhenRemoteEncodesIt) {
  Array<double> values(std::vector<double>{1.0, 2.0});
  auto call = EchoWrapper(values);  // kept as a view of `values`, not a copy
  values.data()[1] = 7.5;
  (void)call.Remote();
  using Values = std::vector<double>;
  EXPECT_EQ(Unpacked(Units(g_requests.back().payload).first).get().as<Values>(), (Values{1.0, 7.5}));

  // An rvalue is moved into the call: the call owns it.
  auto owning = EchoWrapper(Array<double>(std::vector<double>{4.0}));
  static_assert(std::is_same_v<decltype(owning),
                               goray::detail::TaskCall<Future<Array<double>>, Array<double>>>);
  (void)owning.Remote();
  EXPECT_EQ(Unpacked(Units(g_requests.back().payload).first).get().as<Values>(), Values{4.0});
}

TEST_F(TypedCallTest, ActorCallCreatesATypedHandleAndMethodCallCallsIt) {
  CounterHandle counter =
      goray::detail::ActorCall<CounterHandle, int64_t>("Counter", 5).Remote(goray::Option("name", "c"));
  EXPECT_EQ(counter.id(), 2u);
  EXPECT_EQ(counter.type_name(), "Counter");
  ASSERT_EQ(g_requests.size(), 1u);
  EXPECT_EQ(g_requests[0].command, 11);
  auto [args, json] = Units(g_requests[0].payload);
  EXPECT_EQ(Unpacked(args).get().as<int64_t>(), 5);
  EXPECT_EQ(json["goray_actor_type_name"], "Counter");
  EXPECT_EQ(json["goray_actor_methods"], nlohmann::json::parse(R"(["Incr"])"));
  EXPECT_EQ(json["name"], "c");

  Future<int64_t> n = goray::detail::MethodCall<Future<int64_t>, int64_t>({counter, "Incr"}, 3).Remote();
  EXPECT_EQ(n.id(), 40u);
  EXPECT_EQ(g_requests[1].command, 13);
  auto [method_args, method_json] = Units(g_requests[1].payload);
  EXPECT_EQ(Unpacked(method_args).get().as<int64_t>(), 3);
  EXPECT_EQ(method_json["goray_task_name"], "Incr");
  EXPECT_EQ(method_json["goray_py_local_actor_id"], 2);
}

}  // namespace
