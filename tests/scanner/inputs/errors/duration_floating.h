#include <chrono>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Sleep(std::chrono::duration<double> seconds);
};
