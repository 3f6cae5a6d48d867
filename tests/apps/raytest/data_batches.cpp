// raytest part: C++ tasks as Ray Data map_batches UDFs (tests/ray/test_ray_data.py,
// goray.data). A batch is a struct of arrays: its fields are the batch's columns.
// The input fields are views (goray::ArrayView<T>), so C++ reads the NumPy columns
// in place; goray-gen refuses views in struct fields, so this struct's adaptor is
// written by hand (docs/data.md says what a generated struct, of goray::Array<T>
// fields, costs instead).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <goray/goray.h>
#include <goray/rows.h>

#include "parts.h"

namespace raytest {

// The input batch: two columns of the same length.
struct OrderColumns {
  goray::ArrayView<double> price;
  goray::ArrayView<int64_t> quantity;
};

// The output batch: owning arrays, which Python adopts in-process (no copy).
struct TotalColumns {
  goray::Array<double> total;
  goray::Array<int64_t> quantity;
};

// Where each input column's data was, as C++ saw it: one address per column.
struct ColumnAddresses {
  goray::Array<int64_t> price;
  goray::Array<int64_t> quantity;
};

}  // namespace raytest

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<raytest::OrderColumns> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::OrderColumns& value) const {
      goray::codec::EncodeStructHeader(out, 2);
      goray::codec::EncodeField(out, "price", value.price);
      goray::codec::EncodeField(out, "quantity", value.quantity);
      return out;
    }
  };
  template <>
  struct convert<raytest::OrderColumns> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::OrderColumns& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("price", value.price);
      decoder.Field("quantity", value.quantity);
      decoder.End();
      return object;
    }
  };
  template <>
  struct pack<raytest::TotalColumns> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::TotalColumns& value) const {
      goray::codec::EncodeStructHeader(out, 2);
      goray::codec::EncodeField(out, "total", value.total);
      goray::codec::EncodeField(out, "quantity", value.quantity);
      return out;
    }
  };
  template <>
  struct convert<raytest::TotalColumns> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::TotalColumns& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("total", value.total);
      decoder.Field("quantity", value.quantity);
      decoder.End();
      return object;
    }
  };
  template <>
  struct pack<raytest::ColumnAddresses> {
    goray::codec::Packer& operator()(goray::codec::Packer& out, const raytest::ColumnAddresses& value) const {
      goray::codec::EncodeStructHeader(out, 2);
      goray::codec::EncodeField(out, "price", value.price);
      goray::codec::EncodeField(out, "quantity", value.quantity);
      return out;
    }
  };
  template <>
  struct convert<raytest::ColumnAddresses> {
    const msgpack::object& operator()(const msgpack::object& object, raytest::ColumnAddresses& value) const {
      goray::codec::StructDecoder decoder(object, value);
      decoder.Field("price", value.price);
      decoder.Field("quantity", value.quantity);
      decoder.End();
      return object;
    }
  };
  }  // namespace adaptor
}
}  // namespace msgpack

namespace raytest {
namespace {

// The data address of the last `total` column DataTotal returned in this process.
std::atomic<int64_t> last_total_address{0};

int64_t AddressOf(const void* data) { return static_cast<int64_t>(reinterpret_cast<std::uintptr_t>(data)); }

TotalColumns TotalTimes(const OrderColumns& batch, double factor) {
  if (batch.price.size() != batch.quantity.size()) {
    throw std::invalid_argument("price has " + std::to_string(batch.price.size()) + " rows, quantity " +
                                std::to_string(batch.quantity.size()));
  }
  TotalColumns out{goray::Array<double>::Zeros({batch.price.size()}),
                   goray::Array<int64_t>::Zeros({batch.quantity.size()})};
  for (int64_t i = 0; i < batch.price.size(); ++i) {
    out.total[i] = batch.price[i] * static_cast<double>(batch.quantity[i]) * factor;
    out.quantity[i] = batch.quantity[i];
  }
  last_total_address = AddressOf(out.total.data());
  return out;
}

// total = price * quantity, and the quantity passed through.
TotalColumns DataTotal(const OrderColumns& batch) { return TotalTimes(batch, 1.0); }

int* volatile g_no_row = nullptr;

// A bug that depends on the data: a negative quantity reads through a null pointer
// (tests/ray/test_data_crashes.py reads the line marked "crash line: data").
[[gnu::noinline]] double ReadRowOrCrash(double price, int64_t quantity) {
  if (quantity < 0) return price * *g_no_row;  // crash line: data
  return price * static_cast<double>(quantity);
}

// DataTotal, crashing on a batch with a negative quantity.
TotalColumns DataTotalOrCrash(const OrderColumns& batch) {
  TotalColumns out{goray::Array<double>::Zeros({batch.price.size()}),
                   goray::Array<int64_t>::Zeros({batch.quantity.size()})};
  for (int64_t i = 0; i < batch.price.size(); ++i) {
    out.total[i] = ReadRowOrCrash(batch.price[i], batch.quantity[i]);
    out.quantity[i] = batch.quantity[i];
  }
  return out;
}

// DataTotal, row by row with goray::ForEachRow: a negative quantity throws for its row,
// which the error names (docs/errors.md, "Which row failed").
TotalColumns DataCheckedTotal(const OrderColumns& batch) {
  const auto rows = static_cast<std::size_t>(batch.price.size());
  TotalColumns out{goray::Array<double>::Zeros({batch.price.size()}),
                   goray::Array<int64_t>::Zeros({batch.quantity.size()})};
  goray::ForEachRow(rows, [&](std::size_t row) {
    const auto i = static_cast<int64_t>(row);
    if (batch.quantity[i] < 0) {
      throw std::invalid_argument("quantity " + std::to_string(batch.quantity[i]) + " is negative");
    }
    out.total[i] = batch.price[i] * static_cast<double>(batch.quantity[i]);
    out.quantity[i] = batch.quantity[i];
  });
  return out;
}

ColumnAddresses DataAddresses(const OrderColumns& batch) {
  return {goray::Array<int64_t>(std::vector<int64_t>{AddressOf(batch.price.data())}),
          goray::Array<int64_t>(std::vector<int64_t>{AddressOf(batch.quantity.data())})};
}

// The same, with the columns as parameters (goray.data's columns_as="parameters").
ColumnAddresses DataAddressesOf(goray::ArrayView<double> price, goray::ArrayView<int64_t> quantity) {
  return DataAddresses({price, quantity});
}

int64_t DataLastTotalAddress() { return last_total_address; }

// Not a map UDF: a reduction (goray.data refuses a result that is not a struct of arrays).
int64_t DataRows(const OrderColumns& batch) { return batch.price.size(); }

// A class-based UDF's state: a factor fixed when the actor pool's actor starts.
class DataPricer {
 public:
  explicit DataPricer(double factor) : factor_(factor) {}
  TotalColumns Apply(const OrderColumns& batch) { return TotalTimes(batch, factor_); }
  // The columns as parameters (goray.data's columns_as="parameters").
  TotalColumns ApplyOf(goray::ArrayView<double> price, goray::ArrayView<int64_t> quantity) {
    return TotalTimes({price, quantity}, factor_);
  }
  // DataTotalOrCrash and DataCheckedTotal as methods.
  TotalColumns ApplyOrCrash(const OrderColumns& batch) { return DataTotalOrCrash(batch); }
  TotalColumns ApplyChecked(const OrderColumns& batch) { return DataCheckedTotal(batch); }

 private:
  double factor_;
};

}  // namespace

void RegisterDataBatches(goray::Registry& registry) {
  registry.AddTask("DataTotal", &DataTotal);
  registry.AddTask("DataAddresses", &DataAddresses);
  registry.AddTask("DataAddressesOf", &DataAddressesOf);
  registry.AddTask("DataLastTotalAddress", &DataLastTotalAddress);
  registry.AddTask("DataRows", &DataRows);
  registry.AddTask("DataTotalOrCrash", &DataTotalOrCrash);
  registry.AddTask("DataCheckedTotal", &DataCheckedTotal);
  // (Its parameters' names, which goray.data passes columns to by keyword: raytest.cpp's
  // SetParameters.)
  registry.AddActor<DataPricer>("DataPricer", &goray::Constructor<DataPricer, double>::Create)
      .AddMethod("Apply", &DataPricer::Apply)
      .AddMethod("ApplyOf", &DataPricer::ApplyOf)
      .AddMethod("ApplyOrCrash", &DataPricer::ApplyOrCrash)
      .AddMethod("ApplyChecked", &DataPricer::ApplyChecked);
}

}  // namespace raytest
