// The typed entries' test application (tests/renderers/test_gen_typed_entries.py, run
// by apps/entries_checks.py): tasks and an actor of the types the typed entries convert,
// each also declared GORAY_KEEP_GIL where the test compares the two; calls that release
// the GIL (a long one, one whose threads call Python, a thread-safe actor's); a struct and
// an enum declared in this header, so the entries module can name them.
#pragma once

#include <goray/goray.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

namespace entries {

enum class Level : int32_t { kLow = 1, kHigh = 2 };

struct Reading {
  std::string sensor;
  double value = 0;
  int64_t at = 0;
  std::optional<std::string> note;
};

struct GORAY_TASKS Tasks {
  double Loss(double x, double a, double b);
  GORAY_KEEP_GIL double LossShort(double x, double a, double b);
  std::string Echo(const std::string& text);
  std::vector<uint8_t> Bytes(std::vector<uint8_t> data);
  double Sum(goray::ArrayView<double> values);
  // The address a view parameter reads (in place: the ndarray's own buffer).
  uint64_t AddressOf(goray::ArrayView<double> values);
  int64_t SpanLength(std::span<const int32_t> values);
  // String columns: a builder out; where a column parameter's first chunk's data is (the
  // pyarrow array's own buffer: read in place).
  goray::StringColumnBuilder Upper(const goray::StringColumn& rows);
  uint64_t ColumnAddress(const goray::BinaryColumn& rows);
  // 0, 1, ..., n - 1; LastRampAddress() is where its data was.
  goray::Array<double> Ramp(int64_t n);
  uint64_t LastRampAddress();
  Reading Bump(Reading reading);
  Level Raise(Level level);
  std::vector<int64_t> Range(int64_t n, int64_t step = 1);
  std::map<std::string, std::vector<double>> Columns(std::map<std::string, std::vector<double>> columns);
  std::optional<int64_t> Half(int64_t n);
  std::tuple<int64_t, std::string> Pair(int64_t n, std::string s);
  void Nothing();
  // A goray::Value, which the module does not convert: it comes back packed.
  goray::Value Describe(int64_t n);
  // The value types of convert_values.h, and sets.
  std::variant<std::monostate, int64_t, std::string> Either(std::variant<int64_t, double, std::string> v);
  std::chrono::milliseconds Longer(std::chrono::milliseconds d);
  std::filesystem::path Under(const std::filesystem::path& p);
  std::chrono::system_clock::time_point Later(std::chrono::system_clock::time_point t);
  int64_t ViewLength(std::string_view s);
  std::set<int64_t> Unique(std::set<int64_t> values);
  int64_t ViewsTotal(std::vector<std::string_view> rows);
  int64_t NullCount(std::vector<std::optional<std::string_view>> rows);
  // Errors: a C++ exception; a crash (in a process of its own).
  int64_t Throw(std::string what);
  int64_t Crash(int64_t n);
  // The GIL: a call that sleeps (other Python threads run meanwhile), one whose own threads
  // call Python before it returns, and calls into Python on its own thread (both forms).
  double Sleep(double seconds);
  int64_t PythonFromThreads(int64_t threads);
  int64_t PythonHere(int64_t x);
  GORAY_KEEP_GIL int64_t PythonHereShort(int64_t x);
};

// Thread-safe: two Python threads' calls of Wait run at once.
class GORAY_ACTOR GORAY_THREADSAFE Meter {
 public:
  explicit Meter(double start);
  double Add(double x);
  GORAY_KEEP_GIL double AddShort(double x);
  double Total() const;
  double Wait(double seconds);
  goray::Generator<int64_t> Count(int64_t n);

 private:
  std::atomic<double> total_;
};

}  // namespace entries
