#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  goray::Generator<double> Running(goray::ArrayView<double> values);
};
