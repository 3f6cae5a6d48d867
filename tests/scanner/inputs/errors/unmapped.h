#include <forward_list>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  double Sum(const std::forward_list<double>& values);
};
