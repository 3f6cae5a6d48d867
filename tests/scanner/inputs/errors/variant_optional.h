#include <optional>
#include <string>
#include <variant>
#include <goray/annotations.h>
struct Settings {
  std::variant<std::optional<int>, std::string> level;
};
struct GORAY_TASKS Tasks {
  void Apply(Settings settings);
};
