#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  goray::Generator<void> Ticks();
};
