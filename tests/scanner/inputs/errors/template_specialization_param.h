#include <goray/annotations.h>
namespace geo {
template <class T>
struct Box {
  T v;
};
}  // namespace geo
// Nothing instantiates geo::Box<double>: the parameter alone names it.
struct GORAY_TASKS Tasks {
  double Get(geo::Box<double> box);
};
