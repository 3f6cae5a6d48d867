#include <variant>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  int Pick(std::variant<int, long> value);
};
