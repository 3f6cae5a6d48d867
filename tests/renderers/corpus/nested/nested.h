#pragma once
#include <goray/goray.h>

#include <cstdint>
#include <string>

namespace outer::inner {

struct Point {
  double x = 0;
  double y = 0;
};

inline namespace v1 {
struct Tag {
  std::string name;
};
}  // namespace v1

struct GORAY_TASKS Geometry {
  Point Shift(const Point& p, double by) { return {p.x + by, p.y + by}; }
  Tag Name(Tag tag) { return tag; }
};

class GORAY_ACTOR Walker {
 public:
  Walker() = default;
  Point Step(Point to) { return at_ = to; }

 private:
  Point at_;
};

}  // namespace outer::inner
