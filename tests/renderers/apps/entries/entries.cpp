// The typed entries' test application: entries.h says what each is for.
#include "entries.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace entries {
namespace {
std::atomic<uint64_t> g_last_ramp{0};
int* volatile g_null = nullptr;
}  // namespace

double Tasks::Loss(double x, double a, double b) { return (x - a) * b; }
double Tasks::LossShort(double x, double a, double b) { return (x - a) * b; }
std::string Tasks::Echo(const std::string& text) { return text; }
std::vector<uint8_t> Tasks::Bytes(std::vector<uint8_t> data) {
  for (auto& byte : data) byte = static_cast<uint8_t>(byte + 1);
  return data;
}
double Tasks::Sum(goray::ArrayView<double> values) {
  double total = 0;
  for (double value : values) total += value;
  return total;
}
goray::StringColumnBuilder Tasks::Upper(const goray::StringColumn& rows) {
  goray::StringColumnBuilder out;
  for (std::optional<std::string_view> row : rows) {
    if (!row) {
      out.AppendNull();
      continue;
    }
    std::string upper(*row);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    out.Append(upper);
  }
  return out;
}

uint64_t Tasks::ColumnAddress(const goray::BinaryColumn& rows) {
  return rows.chunks().empty() ? 0 : static_cast<uint64_t>(reinterpret_cast<uintptr_t>(rows.chunks()[0].data()));
}

uint64_t Tasks::AddressOf(goray::ArrayView<double> values) {
  return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(values.data()));
}
int64_t Tasks::SpanLength(std::span<const int32_t> values) { return static_cast<int64_t>(values.size()); }
goray::Array<double> Tasks::Ramp(int64_t n) {
  auto ramp = goray::Array<double>::Zeros({n});
  for (int64_t i = 0; i < n; ++i) ramp.data()[i] = static_cast<double>(i);
  g_last_ramp = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(ramp.data()));
  return ramp;
}
uint64_t Tasks::LastRampAddress() { return g_last_ramp; }
Reading Tasks::Bump(Reading reading) {
  reading.value += 1;
  reading.at += 1;
  if (reading.note) *reading.note += "!";
  return reading;
}
Level Tasks::Raise(Level level) { return level == Level::kLow ? Level::kHigh : Level::kLow; }
std::vector<int64_t> Tasks::Range(int64_t n, int64_t step) {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < n; i += step) values.push_back(i);
  return values;
}
std::map<std::string, std::vector<double>> Tasks::Columns(std::map<std::string, std::vector<double>> columns) {
  for (auto& [name, values] : columns) values.push_back(static_cast<double>(name.size()));
  return columns;
}
std::optional<int64_t> Tasks::Half(int64_t n) {
  if (n % 2 != 0) return std::nullopt;
  return n / 2;
}
std::tuple<int64_t, std::string> Tasks::Pair(int64_t n, std::string s) { return {n + 1, s + "?"}; }
void Tasks::Nothing() {}
goray::Value Tasks::Describe(int64_t n) {
  goray::Value::Array items;
  for (int64_t i = 0; i < n; ++i) items.emplace_back(static_cast<double>(i));
  return goray::Value::Map{{"n", n}, {"items", std::move(items)}};
}
std::variant<std::monostate, int64_t, std::string> Tasks::Either(std::variant<int64_t, double, std::string> v) {
  if (const auto* n = std::get_if<int64_t>(&v)) return *n * 2;
  if (const auto* s = std::get_if<std::string>(&v)) return *s + "!";
  return std::monostate{};
}
std::chrono::milliseconds Tasks::Longer(std::chrono::milliseconds d) { return d + std::chrono::milliseconds(1); }
std::filesystem::path Tasks::Under(const std::filesystem::path& p) { return p / "x"; }
std::chrono::system_clock::time_point Tasks::Later(std::chrono::system_clock::time_point t) {
  return t + std::chrono::seconds(1);
}
int64_t Tasks::ViewLength(std::string_view s) { return static_cast<int64_t>(s.size()); }
std::set<int64_t> Tasks::Unique(std::set<int64_t> values) { return values; }
int64_t Tasks::ViewsTotal(std::vector<std::string_view> rows) {
  int64_t total = 0;
  for (std::string_view row : rows) total += static_cast<int64_t>(row.size());
  return total;
}
int64_t Tasks::NullCount(std::vector<std::optional<std::string_view>> rows) {
  int64_t nulls = 0;
  for (const auto& row : rows) nulls += row ? 0 : 1;
  return nulls;
}
int64_t Tasks::Throw(std::string what) { throw std::invalid_argument(what); }
int64_t Tasks::Crash(int64_t n) {
  if (n > 0) *g_null = 1;  // crash line: entries
  return n;
}
double Tasks::Sleep(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return seconds;
}
int64_t Tasks::PythonFromThreads(int64_t threads) {
  std::vector<std::thread> started;
  std::atomic<int64_t> total{0};
  for (int64_t i = 0; i < threads; ++i) {
    started.emplace_back([i, &total] { total += goray::LocalCallPyTask("double_it", i).Get<int64_t>(); });
  }
  for (auto& thread : started) thread.join();
  return total;
}
int64_t Tasks::PythonHere(int64_t x) { return goray::LocalCallPyTask("double_it", x).Get<int64_t>(); }
int64_t Tasks::PythonHereShort(int64_t x) { return goray::LocalCallPyTask("double_it", x).Get<int64_t>(); }

Meter::Meter(double start) : total_(start) {}
double Meter::Add(double x) { return total_ += x; }
double Meter::AddShort(double x) { return total_ += x; }
double Meter::Total() const { return total_; }
double Meter::Wait(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return seconds;
}
goray::Generator<int64_t> Meter::Count(int64_t n) {
  for (int64_t i = 0; i < n; ++i) co_yield i;
}

}  // namespace entries
