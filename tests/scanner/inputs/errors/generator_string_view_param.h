#include <string>
#include <string_view>
#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  goray::Generator<std::string> Words(std::string_view text);
};
