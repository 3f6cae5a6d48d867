#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  goray::Generator<double> Running(int* out, goray::ArrayView<double> values);
};
