#include <string>
#include <variant>
#include <goray/annotations.h>
struct Circle { double radius; };
struct Square { double side; };
struct GORAY_TASKS Tasks {
  double Area(const std::variant<Circle, Square>& shape);
};
