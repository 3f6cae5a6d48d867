#include <goray/no_such_header.h>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  double Square(double x);
};
