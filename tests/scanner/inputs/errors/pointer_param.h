#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  void Fill(int* out);
};
