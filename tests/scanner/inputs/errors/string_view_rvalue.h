#include <string_view>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Greet(std::string_view&& name);
};
