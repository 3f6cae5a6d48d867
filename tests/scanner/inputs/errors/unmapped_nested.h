#include <string_view>
#include <vector>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  std::vector<std::string_view> Words();
};
