#include <goray/goray.h>
struct GORAY_TASKS Tasks {
  void Fill(goray::ObjectRef& out);
};
