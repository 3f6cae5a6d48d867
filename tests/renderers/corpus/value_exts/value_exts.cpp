// The definitions, and a C++ caller of the typed wrappers with these types.
#include "value_exts.h"

#include <type_traits>
#include <utility>

#include "value_exts.goray.h"

namespace exts {

std::complex<float> Tasks::Conj(std::complex<float> z) { return std::conj(z); }

std::complex<double> Tasks::Scale(const std::complex<double>& z, double by) { return z * by; }

std::filesystem::path Tasks::Parent(const std::filesystem::path& path) {
  return path.parent_path();
}

std::chrono::nanoseconds Tasks::Twice(std::chrono::nanoseconds d) { return d * 2; }

std::chrono::seconds Tasks::Whole(std::chrono::duration<int64_t, std::ratio<1, 2>> halves) {
  return std::chrono::duration_cast<std::chrono::seconds>(halves);
}

std::size_t Tasks::Length(std::string_view text, const std::string_view& more) {
  return text.size() + more.size();
}

std::string_view Tasks::Name() { return "exts"; }

std::variant<int64_t, double, std::string> Tasks::Pick(
    const std::variant<std::monostate, bool, int32_t, double, std::complex<double>, std::string,
                       std::vector<uint8_t>, std::filesystem::path, std::chrono::microseconds,
                       std::vector<int64_t>, Sample>& v) {
  if (const auto* text = std::get_if<std::string>(&v)) return *text;
  if (const auto* number = std::get_if<double>(&v)) return *number;
  return static_cast<int64_t>(v.index());
}

std::variant<Unit, std::map<std::string, double>> Tasks::Units(const Sample& sample) {
  if (std::holds_alternative<std::monostate>(sample.tag)) return Unit::kFoot;
  return std::map<std::string, double>{{"re", sample.z.real()}, {"im", sample.z.imag()}};
}

std::vector<std::variant<std::monostate, std::string>> Tasks::Maybe(
    const std::map<std::string, std::complex<float>>& values) {
  std::vector<std::variant<std::monostate, std::string>> found;
  for (const auto& [key, value] : values) {
    if (value.imag() == 0) {
      found.emplace_back(std::monostate{});
    } else {
      found.emplace_back(key);
    }
  }
  return found;
}

Sample Tasks::Echo(const Sample& sample) { return sample; }

Clock::Clock(std::chrono::milliseconds step, std::filesystem::path log)
    : step_(step), log_(log.string()) {}

std::chrono::milliseconds Clock::Advance(std::variant<int64_t, std::chrono::milliseconds> by) {
  now_ += std::holds_alternative<int64_t>(by) ? step_ * std::get<int64_t>(by)
                                              : std::get<std::chrono::milliseconds>(by);
  return now_;
}

std::string_view Clock::Log() const { return log_; }

}  // namespace exts

// A C++ caller of the typed wrappers: each type as an argument, each result as its future.
double CallEveryWrapper() {
  using namespace std::chrono_literals;
  goray::Future<std::complex<float>> conj = value_exts::Conj(std::complex<float>(1, 2)).Remote();
  goray::Future<std::filesystem::path> parent =
      value_exts::Parent(std::filesystem::path("/tmp/x")).Remote();
  goray::Future<std::chrono::nanoseconds> twice = value_exts::Twice(5ns).Remote();
  goray::Future<std::size_t> length =
      value_exts::Length(std::string_view("abc"), std::string_view("d")).Remote();
  // A std::string_view result arrives as a std::string: the caller owns its copy.
  goray::Future<std::string> name = value_exts::Name().Remote();
  static_assert(std::is_same_v<decltype(name.Get()), std::string>);
  goray::Future<std::variant<int64_t, double, std::string>> pick =
      value_exts::Pick(std::variant<std::monostate, bool, int32_t, double, std::complex<double>,
                                    std::string, std::vector<uint8_t>, std::filesystem::path,
                                    std::chrono::microseconds, std::vector<int64_t>,
                                    exts::Sample>(3.5))
          .Remote();
  exts::Sample sample{{1, 2}, "/data", 250ms, std::monostate{}};
  goray::Future<exts::Sample> echo = value_exts::Echo(sample).Remote();
  value_exts::ClockHandle clock = value_exts::Clock(10ms, std::filesystem::path("log")).Remote();
  goray::Future<std::chrono::milliseconds> now = clock.Advance(int64_t{3}).Remote();
  goray::Future<std::string> log = clock.Log().Remote();
  return static_cast<double>(conj.Get().imag()) +
         static_cast<double>(parent.Get().string().size()) +
         static_cast<double>(twice.Get().count() + static_cast<int64_t>(length.Get())) +
         static_cast<double>(name.Get().size() + log.Get().size()) +
         std::get<double>(pick.Get()) + echo.Get().z.real() +
         static_cast<double>(now.Get().count());
}
