// Every value type of docs/protocol.md §5 as a task parameter and result: the
// generator test app (tests/renderers/test_gen_compile_run.py calls each task
// in-process and checks the value comes back).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <goray/goray.h>

namespace shapes {

/// A colour, sent as its underlying integer.
enum class Color : int16_t { kRed = 1, kGreen = 2, kBlue = -300 };

enum Plain : uint8_t { kZero, kOne };

/// A point on the plane.
struct Point {
  double x = 0;  ///< horizontal
  double y = 0;  ///< vertical
};

struct Labelled {
  std::string label = "unnamed";
};

/// A shape: nested structs, an enum, optional fields, a base's field.
struct Shape : Labelled {
  std::vector<Point> points;
  Color color = Color::kRed;
  std::optional<double> weight;
  std::optional<Point> anchor;
  struct Meta {
    int32_t version = 7;
    std::map<std::string, std::string> tags;
  } meta;
};

struct Tree {
  std::string name;
  std::vector<Tree> children;  // recursive
};

}  // namespace shapes

using TimePoint = std::chrono::system_clock::time_point;

/// Tasks Echo inherits: they run on Echo's shared instance (offset is Echo's 1000).
struct Offsets {
  int64_t offset = 1;
  int64_t AddOffset(int64_t v) const { return v + offset; }
  static int64_t Twice(int64_t v) { return 2 * v; }
};

/// Echoes every type.
struct GORAY_TASKS Echo : Offsets {
  Echo() { offset = 1000; }
  bool Bool(bool v) { return v; }
  int8_t I8(int8_t v) { return v; }
  int16_t I16(int16_t v) { return v; }
  int32_t I32(int32_t v) { return v; }
  int64_t I64(int64_t v) { return v; }
  uint8_t U8(uint8_t v) { return v; }
  uint16_t U16(uint16_t v) { return v; }
  uint32_t U32(uint32_t v) { return v; }
  uint64_t U64(uint64_t v) { return v; }
  float F32(float v) { return v; }
  double F64(double v) { return v; }
  std::string Str(const std::string& v) { return v; }
  std::vector<std::byte> RawBytes(std::vector<std::byte> v) { return v; }
  std::vector<uint8_t> Bytes(const std::vector<uint8_t>& v) { return v; }
  std::vector<int32_t> Vec(const std::vector<int32_t>& v) { return v; }
  std::array<double, 3> Arr(std::array<double, 3> v) { return v; }
  std::list<std::string> List(std::list<std::string> v) { return v; }
  std::set<int64_t> Set(std::set<int64_t> v) { return v; }
  std::deque<std::string> Deque(std::deque<std::string> v) {
    v.push_front("front");
    return v;
  }
  std::unordered_set<int64_t> USet(const std::unordered_set<int64_t>& v) {
    std::unordered_set<int64_t> more = v;
    more.insert(7);
    return more;
  }
  std::pair<std::string, double> Pair(std::pair<std::string, double> v) { return v; }
  std::map<std::string, std::vector<double>> Map(
      const std::map<std::string, std::vector<double>>& v) {
    return v;
  }
  std::unordered_map<int64_t, std::string> UMap(std::unordered_map<int64_t, std::string> v) {
    return v;
  }
  std::optional<std::string> Opt(std::optional<std::string> v) { return v; }
  TimePoint When(TimePoint v) { return v; }
  goray::Value Any(const goray::Value& v) { return v; }
  shapes::Color Paint(shapes::Color c) { return c; }
  shapes::Plain Flip(shapes::Plain p) { return p == shapes::kZero ? shapes::kOne : shapes::kZero; }
  shapes::Point Point(shapes::Point p) { return p; }
  shapes::Shape Shape(const shapes::Shape& s) { return s; }
  shapes::Tree Tree(shapes::Tree t) { return t; }
  std::vector<std::vector<shapes::Point>> Grid(std::vector<std::vector<shapes::Point>> g) {
    return g;
  }
  std::map<std::string, shapes::Shape> Named(std::map<std::string, shapes::Shape> m) { return m; }

  /// Moves a shape by an offset.
  shapes::Shape Move(shapes::Shape s, const shapes::Point& by);
  /// Quotient and remainder.
  std::tuple<int64_t, int64_t> Divide(int64_t a, int64_t b);
  std::tuple<std::string, shapes::Point, std::optional<int32_t>> Several();
  void Nothing() {}
  static int32_t Static(int32_t v) { return v + 1; }
};

/// Sums numbers; built by its one public constructor.
class GORAY_ACTOR Accumulator {
 public:
  Accumulator(double start, std::string name) : total_(start), name_(std::move(name)) {}
  /// Adds x; returns the total.
  double Add(double x) { return total_ += x; }
  shapes::Point Where() const { return {total_, -total_}; }
  std::string Name() const { return name_; }

 private:
  double total_;
  std::string name_;
};
