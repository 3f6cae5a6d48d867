#include <memory>

#include <goray/annotations.h>
template <class T>
class Store {
 public:
  T Get() const;
};
// Nothing instantiates Store<int>: the factory's result alone names it.
struct GORAY_ACTORS Actors {
  std::unique_ptr<Store<int>> IntStore();
};
