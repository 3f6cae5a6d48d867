#include <goray/annotations.h>
template <class T>
struct GORAY_TASKS Tasks {
  T Twice(T x);
};
