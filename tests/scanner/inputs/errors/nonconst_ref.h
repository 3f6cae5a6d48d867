#include <string>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Append(std::string& text);
};
