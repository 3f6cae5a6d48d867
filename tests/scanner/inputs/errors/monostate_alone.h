#include <variant>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  std::monostate Nothing();
};
