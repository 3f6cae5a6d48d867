#include <complex>
#include <goray/annotations.h>
struct GORAY_TASKS Tasks {
  std::complex<int> Gaussian();
};
