// In-process example: C++ tasks and an actor that Python calls, and C++ code
// that calls Python (a registered function, a Python class, the standard
// library by dotted name, and a snippet of Python source).
#include <goray/goray.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

struct Summary {
  double mean = 0;
  double stddev = 0;
  std::vector<double> extremes;  // min, max
};

struct GORAY_TASKS Tasks {
  double Square(double x) { return x * x; }

  std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b) {
    if (b == 0) throw std::domain_error("divide by zero");
    return {a / b, a % b};
  }

  Summary Summarize(const std::vector<double>& values) {
    if (values.empty()) throw std::invalid_argument("no values to summarize");
    Summary summary;
    summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    double squares = 0;
    for (double value : values) squares += (value - summary.mean) * (value - summary.mean);
    summary.stddev = std::sqrt(squares / static_cast<double>(values.size()));
    auto [low, high] = std::minmax_element(values.begin(), values.end());
    summary.extremes = {*low, *high};
    return summary;
  }

  // C++ calling Python in-process, four ways.
  std::string TourOfPython(const std::vector<std::string>& words) {
    // A function registered with @goray.local in main.py.
    auto shout = goray::LocalCallPyTask("shout", words[0]).Get<std::string>();
    // Any importable function by dotted name: no registration needed.
    double total = goray::LocalCallPyTask("math.fsum", std::vector<double>{0.1, 0.2, 0.3}).Get<double>();
    // A Python class instance living in this process.
    goray::PyLocalInstance counter = goray::NewPyLocalInstance("collections.Counter", words);
    auto top = counter.MethodCall("most_common", 1).Get<std::vector<std::tuple<std::string, int64_t>>>();
    counter.Close();
    // A snippet of Python source.
    auto joined = goray::CallPythonCode("def f(arg0):\n    return '-'.join(sorted(arg0))\n", words)
                      .Get<std::string>();
    return shout + " | fsum=" + std::to_string(total) + " | most common: " + std::get<0>(top[0]) +
           " x" + std::to_string(std::get<1>(top[0])) + " | " + joined;
  }

  // A Python exception arrives as goray::PythonError.
  std::string CatchPythonError() {
    try {
      goray::LocalCallPyTask("fail", std::string("bad input"));
    } catch (const goray::PythonError& error) {
      return std::string("caught ") + error.what();
    }
    return "no error";
  }
};

class Counter {
 public:
  explicit Counter(int64_t start) : value_(start) {}
  int64_t Incr(int64_t by) { return value_ += by; }
  int64_t Get() const { return value_; }

 private:
  int64_t value_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<::Counter> Counter(int64_t start) {
    return std::make_unique<::Counter>(start);
  }
};

// goray-gen writes this table from the annotations above; this example spells
// it out so it builds with the runtime alone.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<Summary> {
    template <class Stream>
    packer<Stream>& operator()(packer<Stream>& out, const Summary& value) const {
      out.pack_map(3);
      goray::codec::EncodeField(out, "mean", value.mean);
      goray::codec::EncodeField(out, "stddev", value.stddev);
      goray::codec::EncodeField(out, "extremes", value.extremes);
      return out;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Square", &Tasks::Square);
  registry.AddTask("Divide", &Tasks::Divide);
  registry.AddTask("Summarize", &Tasks::Summarize);
  registry.AddTask("TourOfPython", &Tasks::TourOfPython);
  registry.AddTask("CatchPythonError", &Tasks::CatchPythonError);
  registry.AddActor<::Counter>("Counter", &Actors::Counter)
      .AddMethod("Incr", &::Counter::Incr)
      .AddMethod("Get", &::Counter::Get);
}
