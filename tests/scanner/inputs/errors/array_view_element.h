#include <goray/goray.h>
#include <vector>
struct GORAY_TASKS Tasks {
  double Total(std::vector<goray::ArrayView<double>> parts);
};
