#include <string_view>
#include <variant>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Say(std::variant<int, std::string_view> words);
};
