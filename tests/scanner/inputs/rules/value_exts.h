// The value types C++ libraries already use (docs/types.md): complex numbers, paths,
// durations, string views, variants; in tasks, an actor's constructor and methods, and
// struct fields.
#include <chrono>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include <goray/annotations.h>

namespace exts {
enum class Unit { kMeter, kFoot };
struct Sample {
  std::complex<double> z;
  std::filesystem::path file;
  std::chrono::milliseconds timeout;
  std::variant<std::monostate, int64_t, std::string> tag;
};
using Tick = std::chrono::duration<int32_t, std::ratio<1, 60>>;
}  // namespace exts

struct GORAY_TASKS Tasks {
  std::complex<float> Conj(std::complex<float> z);
  std::complex<double> Scale(const std::complex<double>& z, double by);
  std::filesystem::path Parent(const std::filesystem::path& path);
  std::chrono::nanoseconds Twice(std::chrono::nanoseconds d);
  std::chrono::seconds Whole(std::chrono::duration<int64_t, std::ratio<2, 4>> halves);
  exts::Tick Ticks(exts::Tick t);
  std::size_t Length(std::string_view text, const std::string_view& more = "ab");
  std::string_view Name();
  std::variant<int64_t, double, std::string> Pick(
      const std::variant<std::monostate, bool, int32_t, double, std::complex<double>,
                         std::string, std::vector<uint8_t>, std::filesystem::path,
                         std::chrono::microseconds, std::vector<int64_t>, exts::Sample>& v);
  std::variant<exts::Unit, std::map<std::string, double>> Units(exts::Sample sample);
  std::vector<std::variant<std::monostate, std::string>> Maybe(
      std::map<std::string, std::complex<float>> values);
};

class GORAY_ACTOR Clock {
 public:
  Clock(std::chrono::milliseconds step, std::filesystem::path log);
  std::chrono::milliseconds Advance(std::variant<int64_t, std::chrono::milliseconds> by);
  std::string_view Log() const;
};
