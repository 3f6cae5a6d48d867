// Every type of docs/protocol.md §5 as a task parameter and result, user structs
// (bases, nesting, recursion, namespaces) and enums; the value types C++ libraries use
// (complex numbers, paths, durations, string views, variants).
#pragma once

#include <array>
#include <chrono>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include <goray/annotations.h>

namespace goray {
class Value {};  // a stand-in for the runtime's dynamic value
}  // namespace goray

namespace geo {

/// A colour, stored as its number.
enum class Color : uint8_t {
  kRed = 1,    ///< red
  kGreen = 2,  // green
  kBlue = 300 - 45,
};

enum Plain { kZero, kOne };

/// A point on the plane.
struct Point {
  double x = 0;  ///< horizontal
  // vertical
  double y = 0;
};

struct Base {
  std::string label;
  static int instances;  // static: not a field
};

/**
 * A shape: a polygon with a colour.
 * Points are in order.
 */
struct Shape : Base {
  std::vector<Point> points;
  Color color = Color::kRed;
  struct Meta {
    int32_t version = 0;
  } meta;
  int : 0;  // unnamed bit-field: not a field
};

struct Tree {
  std::string name;
  std::vector<Tree> children;  // recursive
};

/// A reading of the value types libraries use.
struct Reading {
  std::complex<double> z;
  std::filesystem::path file;
  std::chrono::seconds age;
  std::variant<std::monostate, std::string, Color> note;  ///< none, a text or a colour
};

using Id = int64_t;
using Points = std::vector<Point>;

}  // namespace geo

struct GORAY_TASKS Types {
  bool Flag(bool b);
  int8_t I8(int8_t v);
  uint8_t U8(uint8_t v);
  int16_t I16(int16_t v);
  uint16_t U16(uint16_t v);
  int32_t I32(int32_t v);
  uint32_t U32(uint32_t v);
  int64_t I64(int64_t v);
  uint64_t U64(uint64_t v);
  std::size_t Size(std::size_t n);
  std::int32_t StdI32(const std::int32_t v);
  long long LongLong(unsigned short v);
  float F32(float v);
  double F64(double v);
  std::string Str(const std::string& s);
  std::vector<uint8_t> Bytes(const std::vector<uint8_t>& b);
  std::vector<std::byte> RawBytes(std::vector<std::byte> b);
  std::vector<int32_t> Vec(const std::vector<int32_t>& v);
  std::array<double, 3> Arr(std::array<double, 3> a);
  std::list<std::string> List(std::list<std::string> l);
  std::set<int64_t> Set(std::set<int64_t> s);
  std::deque<std::string> Deque(std::deque<std::string> d);
  std::unordered_set<int64_t> USet(const std::unordered_set<int64_t>& s);
  std::pair<std::string, double> Pair(std::pair<std::string, double> p);
  std::map<std::string, std::vector<double>> Map(
      const std::map<std::string, std::vector<double>>& m);
  std::unordered_map<int64_t, std::string> UMap(std::unordered_map<int64_t, std::string> m);
  std::optional<std::string> Opt(std::optional<std::string> o);
  std::chrono::system_clock::time_point When(std::chrono::system_clock::time_point t);
  goray::Value Any(const goray::Value& v);
  std::complex<double> Complex(std::complex<float> z);
  std::filesystem::path Path(const std::filesystem::path& p);
  std::chrono::milliseconds Duration(std::chrono::duration<int64_t, std::ratio<1, 60>> d);
  std::string_view View(std::string_view s, const std::string_view& tail = "!");
  std::variant<std::monostate, int64_t, std::string, geo::Point> Variant(
      std::variant<bool, double, std::vector<std::string>> v);
  geo::Reading Read(const geo::Reading& r);
  geo::Color Paint(geo::Color c, geo::Plain p);
  geo::Shape Move(geo::Shape s, const geo::Point& by);
  geo::Tree Grow(geo::Tree t);
  geo::Id Next(geo::Id id);
  geo::Points Many(geo::Points&& points);
  std::vector<std::vector<geo::Point>> Nested(std::vector<std::vector<geo::Point>> grid);
  std::tuple<int64_t, std::string, geo::Point> Several();
  const std::string& Ref();
  void Nothing();
  static int Static(int v);
  void Unnamed(int, double);
  Types& operator=(const Types&) = default;  // an operator: not a task

 private:
  void Hidden(int* p);  // private: not a task, so its pointer is fine
};
