// Order pricing over a Ray Data dataset (goray.data, docs/data.md): a batch (a dict
// of NumPy columns) meets C++ as one array parameter per column (the task Price:
// views of the batch's own buffers), or as a struct of arrays, one field per column
// (the actor Pricer: goray-gen's struct fields own their arrays, one copy each). The
// result is a struct of arrays, the batch's new columns, which NumPy adopts as they are.
#include <goray/goray.h>

#include <cstdint>
#include <stdexcept>
#include <string>

/// One batch of orders: the columns Python's goray.data.actor_udf declares.
struct Orders {
  goray::Array<double> price;      ///< unit price
  goray::Array<int64_t> quantity;  ///< units ordered
};

/// The columns a batch gains.
struct Priced {
  goray::Array<double> total;  ///< price * quantity, less the bulk discount
  goray::Array<bool> bulk;     ///< quantity >= the bulk threshold
};

namespace {

Priced PriceOrders(goray::ArrayView<double> price, goray::ArrayView<int64_t> quantity, double discount,
                   int64_t threshold) {
  const int64_t rows = price.size();
  if (quantity.size() != rows) {
    throw std::invalid_argument("price has " + std::to_string(rows) + " rows, quantity " +
                                std::to_string(quantity.size()));
  }
  // Zeros: calloc'ed, and handed to NumPy as they are (no copy on the way back).
  Priced out{goray::Array<double>::Zeros({rows}), goray::Array<bool>::Zeros({rows})};
  for (int64_t i = 0; i < rows; ++i) {
    const bool bulk = quantity[i] >= threshold;
    out.total[i] = price[i] * static_cast<double>(quantity[i]) * (bulk ? 1 - discount : 1);
    out.bulk[i] = bulk;
  }
  return out;
}

}  // namespace

struct GORAY_TASKS OrderTasks {
  /// Prices a batch with a 10% discount from 5 units on. The columns are parameters:
  /// views of the batch's NumPy buffers (goray.data's columns_as="parameters").
  Priced Price(goray::ArrayView<double> price, goray::ArrayView<int64_t> quantity) {
    return PriceOrders(price, quantity, 0.10, 5);
  }
};

/// A pricer whose terms are set once per actor: Ray Data's actor pool builds one per
/// actor (goray.data.actor_udf) and calls Apply on each batch.
class GORAY_ACTOR Pricer {
 public:
  Pricer(double discount, int64_t threshold) : discount_(discount), threshold_(threshold) {}
  Priced Apply(const Orders& orders) { return PriceOrders(orders.price, orders.quantity, discount_, threshold_); }

 private:
  double discount_;
  int64_t threshold_;
};
