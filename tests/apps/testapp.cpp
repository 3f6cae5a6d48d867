// The application library the Python tests (tests/python) load: registered by hand
// through goray::Registry, no generator. It echoes every value type of docs/protocol.md
// section 5, fails in every way a task can, hosts actors built three ways, and calls
// back into Python in-process (functions, code, instances, errors, threads, re-entry).
#include <goray/goray.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace testapp {

enum class Color : std::int32_t { kRed = 1, kGreen = 2, kBlue = -7 };

struct Inner {
  std::int64_t x = 0;
  std::string tag;
};

struct Record {
  std::string name;
  Inner inner;
  Color color = Color::kRed;
  std::optional<double> score;
  std::vector<Inner> items;
};

}  // namespace testapp

// ---- Non-intrusive adaptors (the shape goray-gen writes) -----------------------

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct pack<::testapp::Inner> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer,
                                   const ::testapp::Inner& value) const {
    goray::codec::EncodeStructHeader(packer, 2);
    goray::codec::EncodeField(packer, "x", value.x);
    goray::codec::EncodeField(packer, "tag", value.tag);
    return packer;
  }
};

template <>
struct convert<::testapp::Inner> {
  const msgpack::object& operator()(const msgpack::object& object,
                                    ::testapp::Inner& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("x", value.x);
    decoder.Field("tag", value.tag);
    decoder.End();
    return object;
  }
};

template <>
struct pack<::testapp::Record> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer,
                                   const ::testapp::Record& value) const {
    goray::codec::EncodeStructHeader(packer, 5);
    goray::codec::EncodeField(packer, "name", value.name);
    goray::codec::EncodeField(packer, "inner", value.inner);
    goray::codec::EncodeField(packer, "color", value.color);
    goray::codec::EncodeField(packer, "score", value.score);
    goray::codec::EncodeField(packer, "items", value.items);
    return packer;
  }
};

template <>
struct convert<::testapp::Record> {
  const msgpack::object& operator()(const msgpack::object& object,
                                    ::testapp::Record& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("name", value.name);
    decoder.Field("inner", value.inner);
    decoder.Field("color", value.color);
    decoder.Field("score", value.score);
    decoder.Field("items", value.items);
    decoder.End();
    return object;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace testapp {

using TimePoint = std::chrono::system_clock::time_point;
using Bytes = std::vector<std::byte>;
using U8Bytes = std::vector<std::uint8_t>;
using Nested = std::vector<std::map<std::string, std::vector<std::optional<std::int64_t>>>>;

// ---- Echo tasks: Python -> C++ -> Python ---------------------------------------

template <class T>
T Echo(T value) {
  return value;
}

// ---- C++ -> Python -> C++ ------------------------------------------------------

// Sends `value` to the Python function `fn` and decodes its result as T.
template <class T>
T ViaPython(std::string fn, T value) {
  return goray::LocalCallPyTask(fn, value).template Get<T>();
}

// ---- Tasks of every callable kind ------------------------------------------------

std::int64_t Add(std::int64_t a, std::int64_t b) { return a + b; }

std::tuple<std::int64_t, std::int64_t> Divide(std::int64_t a, std::int64_t b) {
  if (b == 0) throw std::domain_error("divide by zero");
  return {a / b, a % b};
}

std::atomic<std::int64_t> g_touches{0};

void Touch() { g_touches.fetch_add(1); }
std::int64_t Touches() { return g_touches.load(); }

struct NotAStdException {
  int code;
};

std::int64_t ThrowNonStd() { throw NotAStdException{42}; }
std::int64_t ThrowRuntime(std::string message) { throw std::runtime_error(message); }

// A GORAY_TASKS-like struct: member functions run on one shared instance.
struct Tasks {
  double Square(double x) { return x * x; }
  std::string Greet(const std::string& name) const { return "hello " + name; }
};

std::int64_t SleepMs(std::int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

U8Bytes MakeBytes(std::int64_t size) {
  U8Bytes out(static_cast<std::size_t>(size));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return out;
}

// Several returns of mixed types.
std::tuple<std::string, std::int64_t, std::optional<double>> Triple(std::int64_t n) {
  return {"n=" + std::to_string(n), n * 3, std::nullopt};
}

// ---- Actors ----------------------------------------------------------------------

std::atomic<std::int64_t> g_counters_alive{0};

class Described {
 public:
  virtual ~Described() = default;
  std::string Describe() const { return "counter at " + std::to_string(Value()); }

 protected:
  virtual std::int64_t Value() const = 0;
};

class Counter : public Described {
 public:
  explicit Counter(std::int64_t start) : n_(start) { g_counters_alive.fetch_add(1); }
  Counter(const Counter& other) : Described(other), n_(other.n_.load()) {
    g_counters_alive.fetch_add(1);
  }
  Counter(Counter&& other) noexcept : n_(other.n_.load()) { g_counters_alive.fetch_add(1); }
  Counter& operator=(const Counter& other) {
    Described::operator=(other);
    n_ = other.n_.load();
    return *this;
  }
  ~Counter() override { g_counters_alive.fetch_sub(1); }

  std::int64_t Incr(std::int64_t by) { return n_ += by; }
  std::int64_t Get() const { return n_; }
  std::string Label(const std::string& prefix) const { return prefix + std::to_string(n_); }
  std::int64_t Fail() { throw std::logic_error("counter failed at " + std::to_string(n_)); }

 protected:
  std::int64_t Value() const override { return n_; }

 private:
  // Atomic: in-process callers may share one instance across threads, and the
  // runtime does not serialise their calls (the fast path releases the GIL).
  std::atomic<std::int64_t> n_;
};

std::int64_t CountersAlive() { return g_counters_alive.load(); }

template <class Builder>
void AddCounterMethods(Builder& builder) {
  builder.AddMethod("Incr", &Counter::Incr)
      .AddMethod("Get", &Counter::Get)
      .AddMethod("Label", &Counter::Label)
      .AddMethod("Fail", &Counter::Fail)
      .AddMethod("Describe", &Described::Describe);  // inherited from a public base
}

// ---- Python in-process: instances, code, errors ----------------------------------

// Creates an instance of Python class `cls`, calls incr twice, closes it, then
// checks that a call after Close throws. Returns the two results and 1 if it threw.
std::vector<std::int64_t> UsePyInstance(std::string cls, std::int64_t start) {
  goray::PyLocalInstance instance = goray::NewPyLocalInstance(cls, start);
  std::vector<std::int64_t> out;
  out.push_back(instance.MethodCall("incr", 5).Get<std::int64_t>());
  out.push_back(instance.MethodCall("incr", 10).Get<std::int64_t>());
  instance.Close();
  instance.Close();  // a second Close does nothing
  try {
    instance.MethodCall("incr", 1);
    out.push_back(0);
  } catch (const goray::Error&) {
    out.push_back(1);
  }
  return out;
}

// Lets copies of an instance go out of scope: the last one closes it.
std::int64_t PyInstanceScoped(std::string cls, std::int64_t start) {
  std::int64_t value = 0;
  {
    goray::PyLocalInstance first = goray::NewPyLocalInstance(cls, start);
    goray::PyLocalInstance copy = first;
    value = copy.MethodCall("incr", 1).Get<std::int64_t>();
  }
  return value;
}

// collections.Counter("abracadabra").most_common(2), through a dotted class name.
std::vector<std::pair<std::string, std::int64_t>> MostCommon(std::string text, std::int64_t n) {
  goray::PyLocalInstance counter = goray::NewPyLocalInstance("collections.Counter", text);
  return counter.MethodCall("most_common", n)
      .Get<std::vector<std::pair<std::string, std::int64_t>>>();
}

goray::Value RunPyCode(std::string source, goray::Value a, goray::Value b) {
  return goray::CallPythonCode(source, a, b).Get<goray::Value>();
}

// Calls Python one way and returns the parts of the PythonError it raised:
// {type, message, traceback, what, task}, or {"no error", <result>}.
//   how: "task" (LocalCallPyTask(name, arg)), "code" (CallPythonCode(name, arg)),
//        "class" (NewPyLocalInstance(name, arg)), "method" (an HdCounter-like class
//        `name` built with 0, then its method "missing").
std::vector<std::string> CatchPython(std::string how, std::string name, goray::Value arg) {
  try {
    if (how == "task") {
      goray::LocalCallPyTask(name, arg).Get<goray::Value>();
    } else if (how == "code") {
      goray::CallPythonCode(name, arg).Get<goray::Value>();
    } else if (how == "class") {
      goray::NewPyLocalInstance(name, arg);
    } else if (how == "method") {
      goray::PyLocalInstance instance = goray::NewPyLocalInstance(name, arg);
      instance.MethodCall("missing").Get<goray::Value>();
    } else {
      throw std::invalid_argument("unknown way " + how);
    }
    return {"no error"};
  } catch (const goray::PythonError& error) {
    return {error.type(), error.message(), error.traceback(), error.what(), error.task()};
  }
}

// n threads each call Python `fn`(thread, i) `calls` times and check the result is
// thread * 1000 + i. Returns the number of correct results.
std::int64_t PyFromThreads(std::string fn, std::int64_t n, std::int64_t calls) {
  std::atomic<std::int64_t> correct{0};
  std::vector<std::thread> threads;
  for (std::int64_t t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      for (std::int64_t i = 0; i < calls; ++i) {
        try {
          if (goray::LocalCallPyTask(fn, t, i).Get<std::int64_t>() == t * 1000 + i) {
            correct.fetch_add(1);
          }
        } catch (...) {
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return correct.load();
}

// C++ -> Python py_reenter(n) -> golang_local_run_task("Reenter", n - 1) -> ...
std::int64_t Reenter(std::int64_t n) {
  if (n <= 0) return 0;
  return goray::LocalCallPyTask("py_reenter", n).Get<std::int64_t>() + 1;
}

// Builds `size` bytes, sends them to Python `fn` (an echo) and compares the result.
bool BigViaPython(std::string fn, std::int64_t size) {
  U8Bytes data = MakeBytes(size);
  U8Bytes back = goray::LocalCallPyTask(fn, data).Get<U8Bytes>();
  return back == data;
}

// Several results destructured from one Python sequence.
std::tuple<std::int64_t, std::string> PyPair(std::string fn) {
  return goray::LocalCallPyTask(fn).Get<std::int64_t, std::string>();
}

template <class T>
bool SameBits(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  } else {
    return a == b;
  }
}

// C++-made values through Python `fn` (an echo) and back; returns what differed.
std::vector<std::string> CheckRoundTrips(std::string fn) {
  std::vector<std::string> failures;
  auto check = [&](const std::string& what, const auto& value) {
    using T = std::remove_cvref_t<decltype(value)>;
    try {
      T back = goray::LocalCallPyTask(fn, value).template Get<T>();
      if (!SameBits(back, value)) failures.push_back(what + ": differs");
    } catch (const std::exception& error) {
      failures.push_back(what + ": " + error.what());
    }
  };
  check("int8 min", std::numeric_limits<std::int8_t>::min());
  check("int8 max", std::numeric_limits<std::int8_t>::max());
  check("int16 min", std::numeric_limits<std::int16_t>::min());
  check("int32 min", std::numeric_limits<std::int32_t>::min());
  check("int64 min", std::numeric_limits<std::int64_t>::min());
  check("int64 max", std::numeric_limits<std::int64_t>::max());
  check("uint8 max", std::numeric_limits<std::uint8_t>::max());
  check("uint16 max", std::numeric_limits<std::uint16_t>::max());
  check("uint32 max", std::numeric_limits<std::uint32_t>::max());
  check("uint64 max", std::numeric_limits<std::uint64_t>::max());
  check("float nan", std::numeric_limits<float>::quiet_NaN());
  check("float -0", -0.0f);
  check("float inf", std::numeric_limits<float>::infinity());
  check("float 0.1", 0.1f);
  check("double nan", std::numeric_limits<double>::quiet_NaN());
  check("double -inf", -std::numeric_limits<double>::infinity());
  check("double -0", -0.0);
  check("double denormal", std::numeric_limits<double>::denorm_min());
  check("bool", true);
  check("string", std::string("h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80"));
  check("string nul", std::string("a\0b", 3));
  check("string empty", std::string());
  check("bytes", Bytes{std::byte{0}, std::byte{255}, std::byte{10}});
  check("u8 bytes", U8Bytes{0, 1, 2, 255});
  check("vector", std::vector<std::int64_t>{1, -2, 3});
  check("vector empty", std::vector<std::int64_t>{});
  check("array", std::array<std::int32_t, 3>{7, 8, 9});
  check("list", std::list<std::string>{"a", "b"});
  check("set", std::set<std::int64_t>{3, 1, 2});
  check("pair", std::pair<std::string, double>{"pi", 3.14});
  check("map str", std::map<std::string, std::int64_t>{{"a", 1}, {"b", -2}});
  check("map int", std::map<std::int64_t, std::string>{{-1, "m"}, {5, "f"}});
  check("unordered map", std::unordered_map<std::string, std::vector<double>>{{"xs", {1.5, 2}}});
  check("optional set", std::optional<std::int64_t>(4));
  check("optional empty", std::optional<std::int64_t>());
  check("enum", Color::kBlue);
  check("time", TimePoint(std::chrono::microseconds(1700000000123456LL)));
  check("time before epoch", TimePoint(std::chrono::microseconds(-1500000LL)));
  check("nested", Nested{{{"k", {1, std::nullopt, 3}}}, {}});
  Record record{"rec", {5, "in"}, Color::kGreen, 2.5, {{1, "a"}, {2, "b"}}};
  try {
    Record back = goray::LocalCallPyTask(fn, record).Get<Record>();
    if (back.name != record.name || back.inner.x != 5 || back.inner.tag != "in" ||
        back.color != Color::kGreen || back.score != 2.5 || back.items.size() != 2 ||
        back.items[1].tag != "b") {
      failures.push_back("record: differs");
    }
  } catch (const std::exception& error) {
    failures.push_back(std::string("record: ") + error.what());
  }
  goray::Value value = goray::Value::Map{{"xs", goray::Value::Array{1, 2.5, "three"}},
                                         {7, nullptr}};
  check("value", value);
  return failures;
}


// ---- Arrays (protocol version 2): zero-copy checks, every dtype, structs, actors ----
#if GORAY_PROTOCOL_VERSION >= 2

struct Grid {
  std::string name;
  goray::Array<double> values;
};

// Arrays whose storage is still alive (MakeTracked): proves adopted buffers are freed.
std::atomic<std::int64_t> g_tracked_alive{0};

// Where the task sees the caller's data: equal to the ndarray's address when no copy
// was made on the way in.
std::uint64_t ViewAddress(goray::ArrayView<double> view) {
  return reinterpret_cast<std::uintptr_t>(view.data());
}
std::uint64_t SpanAddress(std::span<const double> span) {
  return reinterpret_cast<std::uintptr_t>(span.data());
}
std::uint64_t ArrayParamAddress(const goray::Array<double>& array) {
  return reinterpret_cast<std::uintptr_t>(array.data());
}
std::vector<std::int64_t> ViewShape(goray::ArrayView<double> view) { return view.shape(); }
double ArrayTotal(goray::Array<double> array) {
  double total = 0;
  for (double x : array) total += x;
  return total;
}
double VectorTotal(std::vector<double> values) {
  double total = 0;
  for (double x : values) total += x;
  return total;
}

// An array of `shape` holding 0, 1, 2, ... and the address of its data, as the task saw it.
std::tuple<goray::Array<double>, std::uint64_t> MakeArray(std::vector<std::int64_t> shape) {
  auto array = goray::Array<double>::Zeros(shape);
  for (std::int64_t i = 0; i < array.size(); ++i) array[i] = static_cast<double>(i);
  auto address = reinterpret_cast<std::uintptr_t>(array.data());
  return {std::move(array), address};
}

// `n` doubles whose storage counts itself in g_tracked_alive until freed.
goray::Array<double> MakeTracked(std::int64_t n) {
  auto* block = new std::vector<double>(static_cast<std::size_t>(n), 1.5);
  g_tracked_alive.fetch_add(1);
  std::shared_ptr<void> owner(block, [](void* pointer) {
    delete static_cast<std::vector<double>*>(pointer);
    g_tracked_alive.fetch_sub(1);
  });
  double* data = block->data();
  return goray::Array<double>::FromOwner(std::move(owner), data, {n});
}
std::int64_t TrackedAlive() { return g_tracked_alive.load(); }

// How often it ran: a call the driver retried another way would count twice.
std::atomic<std::int64_t> g_array_calls{0};
std::int64_t CountArrayCalls(goray::ArrayView<double>) { return g_array_calls.fetch_add(1) + 1; }

goray::Array<double> ViewToArray(goray::ArrayView<double> view) {
  goray::Array<double> out = goray::Array<double>::Zeros(view.shape());
  for (std::int64_t i = 0; i < view.size(); ++i) out[i] = view[i] * 2;
  return out;
}

Grid EchoGrid(Grid grid) { return grid; }

// C++ -> Python -> C++ with an array both ways.
goray::Array<double> ArrayViaPython(std::string fn, goray::Array<double> array) {
  return goray::LocalCallPyTask(fn, array).Get<goray::Array<double>>();
}

class Accumulator {
 public:
  explicit Accumulator(std::int64_t n) : total_(goray::Array<double>::Zeros({n})) {}
  void Add(goray::ArrayView<double> values) {
    for (std::int64_t i = 0; i < total_.size() && i < values.size(); ++i) total_[i] += values[i];
  }
  goray::Array<double> Total() const { return total_; }

 private:
  goray::Array<double> total_;
};

#endif  // GORAY_PROTOCOL_VERSION >= 2

#if __has_include(<goray/column.h>)
// String and binary columns (tests/python/test_arrow_columns.py).
goray::StringColumnBuilder ColUpper(const goray::StringColumn& column) {
  goray::StringColumnBuilder out;
  out.Reserve(column.size());
  for (std::optional<std::string_view> value : column) {
    if (!value) {
      out.AppendNull();
      continue;
    }
    std::string upper(*value);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    out.Append(upper);
  }
  return out;
}

goray::Array<std::int64_t> ColLengths(const goray::BinaryColumn& column) {
  std::vector<std::int64_t> lengths;
  for (auto value : column) lengths.push_back(value ? static_cast<std::int64_t>(value->size()) : -1);
  return goray::Array<std::int64_t>(std::move(lengths));
}

goray::BinaryColumnBuilder ColEcho(const goray::BinaryColumn& column) {
  goray::BinaryColumnBuilder out;
  for (auto value : column) out.Append(value);
  return out;
}

// Where the column's first chunk's data is: the caller's own buffer in-process.
std::uint64_t ColDataAddress(const goray::StringColumn& column) {
  return column.chunks().empty() ? 0 : reinterpret_cast<std::uintptr_t>(column.chunks()[0].data());
}

std::int64_t ColChunks(const goray::StringColumn& column) { return static_cast<std::int64_t>(column.chunks().size()); }

std::int64_t ColViewsTotal(std::vector<std::string_view> views) {
  std::int64_t total = 0;
  for (std::string_view view : views) total += static_cast<std::int64_t>(view.size());
  return total;
}

std::int64_t ColNulls(const std::vector<std::optional<std::string_view>>& views) {
  std::int64_t nulls = 0;
  for (const auto& view : views) nulls += view ? 0 : 1;
  return nulls;
}

std::vector<std::optional<std::string>> ColStrings(std::vector<std::optional<std::string>> values) { return values; }

goray::BinaryColumnBuilder ColBytes(std::int64_t big) {
  goray::BinaryColumnBuilder out;
  out.Append(std::string_view("\x00\xff\xfe", 3));
  out.AppendNull();
  out.Append("");
  out.Append(std::string(static_cast<std::size_t>(big), 'b'));
  return out;
}

goray::StringColumnBuilder ColBadUtf8() {
  goray::StringColumnBuilder out;
  out.Append(std::string_view("\xff", 1));
  return out;
}

goray::StringColumnBuilder ColViaPython(std::string fn, const goray::StringColumn& column) {
  return goray::LocalCallPyTask(fn, column).Get<goray::StringColumnBuilder>();
}
#endif

int Driver() { return 7; }

}  // namespace testapp

#if GORAY_PROTOCOL_VERSION >= 2
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct pack<::testapp::Grid> {
  goray::codec::Packer& operator()(goray::codec::Packer& packer,
                                   const ::testapp::Grid& value) const {
    goray::codec::EncodeStructHeader(packer, 2);
    goray::codec::EncodeField(packer, "name", value.name);
    goray::codec::EncodeField(packer, "values", value.values);
    return packer;
  }
};

template <>
struct convert<::testapp::Grid> {
  const msgpack::object& operator()(const msgpack::object& object,
                                    ::testapp::Grid& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("name", value.name);
    decoder.Field("values", value.values);
    decoder.End();
    return object;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
#endif

namespace goray {

void RegisterApplication(Registry& r) {
  using namespace testapp;
  // Echoes of every value type (Python -> C++ -> Python).
  r.AddTask("EchoI8", &Echo<std::int8_t>);
  r.AddTask("EchoI16", &Echo<std::int16_t>);
  r.AddTask("EchoI32", &Echo<std::int32_t>);
  r.AddTask("EchoI64", &Echo<std::int64_t>);
  r.AddTask("EchoU8", &Echo<std::uint8_t>);
  r.AddTask("EchoU16", &Echo<std::uint16_t>);
  r.AddTask("EchoU32", &Echo<std::uint32_t>);
  r.AddTask("EchoU64", &Echo<std::uint64_t>);
  r.AddTask("EchoF32", &Echo<float>);
  r.AddTask("EchoF64", &Echo<double>);
  r.AddTask("EchoBool", &Echo<bool>);
  r.AddTask("EchoStr", &Echo<std::string>);
  r.AddTask("EchoBytes", &Echo<Bytes>);
  r.AddTask("EchoU8Bytes", &Echo<U8Bytes>);
  r.AddTask("EchoVec", &Echo<std::vector<std::int64_t>>);
  r.AddTask("EchoArray", &Echo<std::array<std::int32_t, 3>>);
  r.AddTask("EchoList", &Echo<std::list<std::string>>);
  r.AddTask("EchoSet", &Echo<std::set<std::int64_t>>);
  r.AddTask("EchoPair", &Echo<std::pair<std::string, double>>);
  r.AddTask("EchoMapStr", &Echo<std::map<std::string, std::int64_t>>);
  r.AddTask("EchoMapInt", &Echo<std::map<std::int64_t, std::string>>);
  r.AddTask("EchoUnorderedMap", &Echo<std::unordered_map<std::string, std::vector<double>>>);
  r.AddTask("EchoOptional", &Echo<std::optional<std::int64_t>>);
  r.AddTask("EchoEnum", &Echo<Color>);
  r.AddTask("EchoTime", &Echo<TimePoint>);
  r.AddTask("EchoValue", &Echo<goray::Value>);
  r.AddTask("EchoRecord", &Echo<Record>);
  r.AddTask("EchoNested", &Echo<Nested>);

  // The same types, C++ -> Python -> C++.
  r.AddTask("ViaPyI8", &ViaPython<std::int8_t>);
  r.AddTask("ViaPyI16", &ViaPython<std::int16_t>);
  r.AddTask("ViaPyI32", &ViaPython<std::int32_t>);
  r.AddTask("ViaPyI64", &ViaPython<std::int64_t>);
  r.AddTask("ViaPyU8", &ViaPython<std::uint8_t>);
  r.AddTask("ViaPyU16", &ViaPython<std::uint16_t>);
  r.AddTask("ViaPyU32", &ViaPython<std::uint32_t>);
  r.AddTask("ViaPyU64", &ViaPython<std::uint64_t>);
  r.AddTask("ViaPyF32", &ViaPython<float>);
  r.AddTask("ViaPyF64", &ViaPython<double>);
  r.AddTask("ViaPyBool", &ViaPython<bool>);
  r.AddTask("ViaPyStr", &ViaPython<std::string>);
  r.AddTask("ViaPyBytes", &ViaPython<Bytes>);
  r.AddTask("ViaPyU8Bytes", &ViaPython<U8Bytes>);
  r.AddTask("ViaPyVec", &ViaPython<std::vector<std::int64_t>>);
  r.AddTask("ViaPyArray", &ViaPython<std::array<std::int32_t, 3>>);
  r.AddTask("ViaPyList", &ViaPython<std::list<std::string>>);
  r.AddTask("ViaPySet", &ViaPython<std::set<std::int64_t>>);
  r.AddTask("ViaPyPair", &ViaPython<std::pair<std::string, double>>);
  r.AddTask("ViaPyMapStr", &ViaPython<std::map<std::string, std::int64_t>>);
  r.AddTask("ViaPyMapInt", &ViaPython<std::map<std::int64_t, std::string>>);
  r.AddTask("ViaPyUnorderedMap",
            &ViaPython<std::unordered_map<std::string, std::vector<double>>>);
  r.AddTask("ViaPyOptional", &ViaPython<std::optional<std::int64_t>>);
  r.AddTask("ViaPyEnum", &ViaPython<Color>);
  r.AddTask("ViaPyTime", &ViaPython<TimePoint>);
  r.AddTask("ViaPyValue", &ViaPython<goray::Value>);
  r.AddTask("ViaPyRecord", &ViaPython<Record>);
  r.AddTask("ViaPyNested", &ViaPython<Nested>);
  r.AddTask("CheckRoundTrips", &CheckRoundTrips);

  // Plain tasks and failures.
  r.AddTask("Add", &Add);
  r.AddTask("Divide", &Divide);
  r.AddTask("Touch", &Touch);
  r.AddTask("Touches", &Touches);
  r.AddTask("ThrowNonStd", &ThrowNonStd);
  r.AddTask("ThrowRuntime", &ThrowRuntime);
  r.AddTask("Square", &Tasks::Square);  // member functions of a shared instance
  r.AddTask("Greet", &Tasks::Greet);
  r.AddTask("Negate", [](std::int64_t x) { return -x; });  // a lambda
  r.AddTask("SleepMs", &SleepMs);
  r.AddTask("MakeBytes", &MakeBytes);
  r.AddTask("Triple", &Triple);
  // Failures without a type read as their message alone.
  r.AddTask("FailUntyped", []() -> std::int64_t { throw goray::TaskError("", "untyped failure", ""); });
  r.AddTask("UntypedWhat", [] { return std::string(goray::TaskError("", "m", "t").what()); });
  // Outside Ray every id is empty (and no Ray is started to find out).
  r.AddTask("RuntimeJobId", [] { return goray::GetRuntimeContext().job_id; });

  // Actors: a factory returning std::unique_ptr, T by value, and T*.
  auto counter = r.AddActor<Counter>("Counter", &goray::Constructor<Counter, std::int64_t>::Create);
  AddCounterMethods(counter);
  auto by_value = r.AddActor<Counter>("ValueCounter", [](std::int64_t n) { return Counter(n); });
  AddCounterMethods(by_value);
  auto by_pointer = r.AddActor<Counter>("PtrCounter", [](std::int64_t n) { return new Counter(n); });
  AddCounterMethods(by_pointer);
  r.AddTask("CountersAlive", &CountersAlive);

  // Python in-process.
  r.AddTask("UsePyInstance", &UsePyInstance);
  r.AddTask("PyInstanceScoped", &PyInstanceScoped);
  r.AddTask("MostCommon", &MostCommon);
  r.AddTask("RunPyCode", &RunPyCode);
  r.AddTask("CatchPython", &CatchPython);
  r.AddTask("PyFromThreads", &PyFromThreads);
  r.AddTask("Reenter", &Reenter);
  r.AddTask("BigViaPython", &BigViaPython);
  r.AddTask("PyPair", &PyPair);

#if GORAY_PROTOCOL_VERSION >= 2
  // Arrays.
  r.AddTask("EchoArrBool", &Echo<goray::Array<bool>>);
  r.AddTask("EchoArrI8", &Echo<goray::Array<std::int8_t>>);
  r.AddTask("EchoArrI16", &Echo<goray::Array<std::int16_t>>);
  r.AddTask("EchoArrI32", &Echo<goray::Array<std::int32_t>>);
  r.AddTask("EchoArrI64", &Echo<goray::Array<std::int64_t>>);
  r.AddTask("EchoArrU8", &Echo<goray::Array<std::uint8_t>>);
  r.AddTask("EchoArrU16", &Echo<goray::Array<std::uint16_t>>);
  r.AddTask("EchoArrU32", &Echo<goray::Array<std::uint32_t>>);
  r.AddTask("EchoArrU64", &Echo<goray::Array<std::uint64_t>>);
  r.AddTask("EchoArrF32", &Echo<goray::Array<float>>);
  r.AddTask("EchoArrF64", &Echo<goray::Array<double>>);
  r.AddTask("EchoArrC64", &Echo<goray::Array<std::complex<float>>>);
  r.AddTask("EchoArrC128", &Echo<goray::Array<std::complex<double>>>);
  r.AddTask("ViewAddress", &ViewAddress);
  r.AddTask("SpanAddress", &SpanAddress);
  r.AddTask("ArrayParamAddress", &ArrayParamAddress);
  r.AddTask("ViewShape", &ViewShape);
  r.AddTask("ArrayTotal", &ArrayTotal);
  r.AddTask("VectorTotal", &VectorTotal);
  r.AddTask("MakeArray", &MakeArray);
  r.AddTask("MakeTracked", &MakeTracked);
  r.AddTask("TrackedAlive", &TrackedAlive);
  r.AddTask("CountArrayCalls", &CountArrayCalls);
  r.AddTask("ViewToArray", &ViewToArray);
  r.AddTask("EchoGrid", &EchoGrid);
  r.AddTask("ArrayViaPython", &ArrayViaPython);
#if __has_include(<goray/column.h>)
  r.AddTask("ColUpper", &ColUpper);
  r.AddTask("ColLengths", &ColLengths);
  r.AddTask("ColEcho", &ColEcho);
  r.AddTask("ColDataAddress", &ColDataAddress);
  r.AddTask("ColChunks", &ColChunks);
  r.AddTask("ColViewsTotal", &ColViewsTotal);
  r.AddTask("ColNulls", &ColNulls);
  r.AddTask("ColStrings", &ColStrings);
  r.AddTask("ColBytes", &ColBytes);
  r.AddTask("ColBadUtf8", &ColBadUtf8);
  r.AddTask("ColViaPython", &ColViaPython);
#endif
  r.AddActor<Accumulator>("Accumulator", &goray::Constructor<Accumulator, std::int64_t>::Create)
      .AddMethod("Add", &Accumulator::Add)
      .AddMethod("Total", &Accumulator::Total);
#endif

  r.SetDriver(&Driver);
  r.SetInitOptions(R"({"num_cpus": 1, "namespace": "testapp"})");
}

}  // namespace goray
