#include <goray/goray.h>
#include <string>
struct GORAY_TASKS Tasks {
  int64_t Count(const goray::Array<std::string>& words);
};
