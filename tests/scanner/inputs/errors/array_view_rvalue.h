#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  double Sum(goray::ArrayView<double>&& values);
};
