#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  goray::ArrayView<double> Slice(goray::ArrayView<double> a);
};
