// Two structs in one variant: both arrive as a msgpack map, so no rule could pick one.
#pragma once

#include <goray/goray.h>

#include <variant>

struct Circle {
  double radius;
};
struct Square {
  double side;
};

struct GORAY_TASKS Shapes {
  static double Area(const std::variant<Circle, Square>& shape);
};
