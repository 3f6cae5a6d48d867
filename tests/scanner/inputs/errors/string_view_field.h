#include <string_view>
#include <goray/annotations.h>
struct Named {
  std::string_view name;
};
struct GORAY_TASKS Tasks {
  void Greet(const Named& who);
};
