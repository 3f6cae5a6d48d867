// Defaults that use names only visible here, in a namespace.
#include <goray/goray.h>

#include <memory>
#include <string>
#include <vector>

namespace shop {
namespace {
const std::string kUnit = "kg";
}  // namespace

struct Item {
  std::string name;
  double weight = 0;
};

struct GORAY_TASKS Tasks {
  Item Make(std::string name, double weight = 1.5, std::string unit = kUnit) {
    return {name + unit, weight};
  }
  std::vector<Item> Many(std::vector<Item> items = {Item{"a", 1}}) { return items; }
};

class Cart {
 public:
  explicit Cart(Item first = {"none", 0}) : items_{first} {}
  int64_t Add(const Item& item = Item{}) {
    items_.push_back(item);
    return static_cast<int64_t>(items_.size());
  }

 private:
  std::vector<Item> items_;
};

struct GORAY_ACTORS Actors {
  std::unique_ptr<shop::Cart> Cart(Item first = Item{"x", 2}) {
    return std::make_unique<shop::Cart>(first);
  }
};
}  // namespace shop
