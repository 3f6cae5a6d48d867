#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  template <class T>
  T Twice(T x);
};
