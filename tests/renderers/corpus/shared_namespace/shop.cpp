// The application is named "shop" and so is the user's namespace, but no name the
// generated header declares (the wrappers Total, Shelf, ShelfHandle, goray_detail) is
// one of the user's: the wrappers join the namespace and everything compiles.
#include <goray/goray.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shop {

enum class Kind : int32_t { Tool = 1, Part = 2 };

struct Item {
  std::string name;
  Kind kind = Kind::Part;
  double price = 0;
};

using Catalog = std::map<std::string, Item>;

struct GORAY_TASKS Tasks {
  double Total(const std::vector<Item>& items, double factor = 1.0) {
    double sum = 0;
    for (const Item& item : items) sum += item.price;
    return sum * factor;
  }
  Catalog Index(const std::vector<Item>& items) {
    Catalog catalog;
    for (const Item& item : items) catalog[item.name] = item;
    return catalog;
  }
};

class ShelfImpl {
 public:
  explicit ShelfImpl(int64_t capacity) : capacity_(capacity) {}
  int64_t Capacity() const { return capacity_; }

 private:
  int64_t capacity_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<ShelfImpl> Shelf(int64_t capacity = 10) {
    return std::make_unique<ShelfImpl>(capacity);
  }
};

}  // namespace shop
