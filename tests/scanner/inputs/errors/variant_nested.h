#include <string>
#include <variant>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Set(std::variant<bool, std::variant<int, std::string>> value);
};
