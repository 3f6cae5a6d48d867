// The value types C++ libraries already use: complex numbers, paths, durations, string
// views and variants, as parameters and results of tasks, an actor's constructor and
// methods, and struct fields.
#pragma once

#include <goray/goray.h>

#include <chrono>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace exts {

enum class Unit : int32_t { kMeter, kFoot };

/// One of everything.
struct Sample {
  std::complex<double> z;
  std::filesystem::path file;
  std::chrono::milliseconds timeout;
  std::variant<std::monostate, int64_t, std::string> tag;
};

struct GORAY_TASKS Tasks {
  static std::complex<float> Conj(std::complex<float> z);
  static std::complex<double> Scale(const std::complex<double>& z, double by = 2.0);
  static std::filesystem::path Parent(const std::filesystem::path& path);
  static std::chrono::nanoseconds Twice(std::chrono::nanoseconds d);
  static std::chrono::seconds Whole(std::chrono::duration<int64_t, std::ratio<1, 2>> halves);
  static std::size_t Length(std::string_view text, const std::string_view& more = "ab");
  static std::string_view Name();
  /// The kind of `v`'s alternative, as a number (0 none ... 6 a struct).
  static std::variant<int64_t, double, std::string> Pick(
      const std::variant<std::monostate, bool, int32_t, double, std::complex<double>,
                         std::string, std::vector<uint8_t>, std::filesystem::path,
                         std::chrono::microseconds, std::vector<int64_t>, Sample>& v);
  static std::variant<Unit, std::map<std::string, double>> Units(const Sample& sample);
  static std::vector<std::variant<std::monostate, std::string>> Maybe(
      const std::map<std::string, std::complex<float>>& values);
  static Sample Echo(const Sample& sample);
};

class GORAY_ACTOR Clock {
 public:
  Clock(std::chrono::milliseconds step, std::filesystem::path log);
  std::chrono::milliseconds Advance(std::variant<int64_t, std::chrono::milliseconds> by);
  std::string_view Log() const;

 private:
  std::chrono::milliseconds step_;
  std::chrono::milliseconds now_{0};
  std::string log_;
};

}  // namespace exts
