#include <deque>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  double Sum(const std::deque<double>& values);
};
