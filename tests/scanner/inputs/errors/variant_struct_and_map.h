#include <map>
#include <string>
#include <variant>
#include <vector>
#include <goray/annotations.h>
struct Point { double x; double y; };
struct GORAY_TASKS Tasks {
  std::vector<std::variant<Point, std::map<std::string, int>>> Points();
};
