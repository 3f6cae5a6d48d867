// Templates instantiated in signatures, user structs inside them, declared in this .cpp.
#include <goray/goray.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

struct Point {
  double x = 0;
  double y = 0;
};

struct Shape {
  std::map<std::string, std::vector<Point>> layers;
  std::optional<std::pair<int64_t, std::string>> label;
};

struct GORAY_TASKS Tasks {
  std::map<std::string, std::vector<Point>> Layers(std::map<std::string, std::vector<Point>> in) {
    return in;
  }
  std::optional<std::vector<std::optional<Point>>> Maybe(std::vector<std::optional<Point>> in) {
    return in;
  }
  std::tuple<std::vector<Shape>, std::unordered_map<int64_t, Point>> Split(std::vector<Shape> in) {
    return {in, {}};
  }
  std::array<Point, 2> Pair(const std::array<Point, 2>& in) { return in; }
  std::set<std::string> Keys(std::map<std::string, std::map<std::string, Shape>> in) {
    std::set<std::string> keys;
    for (const auto& entry : in) keys.insert(entry.first);
    return keys;
  }
};
