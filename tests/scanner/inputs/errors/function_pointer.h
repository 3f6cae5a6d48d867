#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  int Apply(int (*callback)(int), int x);
};
