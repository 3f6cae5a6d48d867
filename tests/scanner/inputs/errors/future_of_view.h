#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  double Sum(goray::Future<goray::ArrayView<double>> values);
};
