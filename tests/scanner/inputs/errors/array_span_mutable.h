#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  void Fill(std::span<double> out);
};
