// goray::Array<T> and goray::ArrayView<T> as C++ types: construction, value
// semantics, storage adoption, views, names.
#include <goray/goray.h>
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

using goray::Array;
using goray::ArrayView;

TEST(ArrayTypes, DefaultIsEmptyOneDimensional) {
  Array<double> array;
  EXPECT_EQ(array.shape(), (std::vector<int64_t>{0}));
  EXPECT_EQ(array.ndim(), 1);
  EXPECT_EQ(array.size(), 0);
  EXPECT_NE(array.data(), nullptr);
}

TEST(ArrayTypes, ZerosIsZeroFilledAndAligned) {
  Array<std::complex<double>> array = Array<std::complex<double>>::Zeros({3, 4});
  EXPECT_EQ(array.ndim(), 2);
  EXPECT_EQ(array.size(), 12);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(array.data()) % 16, 0u);
  for (const auto& element : array) EXPECT_EQ(element, std::complex<double>(0, 0));
  Array<int32_t> scalar = Array<int32_t>::Zeros({});
  EXPECT_EQ(scalar.ndim(), 0);
  EXPECT_EQ(scalar.size(), 1);
}

TEST(ArrayTypes, VectorStorageIsAdoptedWithoutCopy) {
  std::vector<double> values{1, 2, 3, 4, 5, 6};
  const double* storage = values.data();
  Array<double> array(std::move(values), {2, 3});
  EXPECT_EQ(array.data(), storage);
  EXPECT_EQ(array.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(array[5], 6.0);
  Array<double> flat(std::vector<double>{7, 8});
  EXPECT_EQ(flat.shape(), (std::vector<int64_t>{2}));
}

TEST(ArrayTypes, BoolVectorIsCopiedIntoBytes) {
  Array<bool> array(std::vector<bool>{true, false, true});
  EXPECT_EQ(array.size(), 3);
  EXPECT_TRUE(array[0]);
  EXPECT_FALSE(array[1]);
  EXPECT_TRUE(array[2]);
}

TEST(ArrayTypes, ShapeMismatchThrows) {
  EXPECT_THROW(Array<double>(std::vector<double>{1, 2, 3}, {2, 2}), std::invalid_argument);
  EXPECT_THROW(Array<double>::Zeros({-1}), std::invalid_argument);
  EXPECT_THROW(Array<double>::Zeros({int64_t{1} << 40, int64_t{1} << 40}), std::invalid_argument);
}

TEST(ArrayTypes, CopyIsDeepMoveIsCheap) {
  Array<int64_t> original(std::vector<int64_t>{1, 2, 3});
  Array<int64_t> copy = original;
  EXPECT_NE(copy.data(), original.data());
  copy[0] = 100;
  EXPECT_EQ(original[0], 1);
  const int64_t* storage = original.data();
  Array<int64_t> moved = std::move(original);
  EXPECT_EQ(moved.data(), storage);
  EXPECT_EQ(original.size(), 0);  // NOLINT(bugprone-use-after-move): documented state
  copy = moved;
  EXPECT_EQ(copy[0], 1);
  EXPECT_NE(copy.data(), moved.data());
}

TEST(ArrayTypes, FromOwnerSharesTheOwner) {
  auto block = std::make_shared<std::vector<float>>(std::vector<float>{1, 2, 3, 4});
  Array<float> array = Array<float>::FromOwner(block, block->data(), {2, 2});
  EXPECT_EQ(array.data(), block->data());
  EXPECT_EQ(block.use_count(), 2);
  EXPECT_EQ(array.owner().get(), block.get());
}

TEST(ArrayTypes, ViewFromArrayBorrows) {
  Array<uint16_t> array(std::vector<uint16_t>{1, 2, 3, 4, 5, 6}, {3, 2});
  ArrayView<uint16_t> view = array;
  EXPECT_EQ(view.data(), array.data());
  EXPECT_EQ(view.shape(), array.shape());
  EXPECT_EQ(view.size(), 6);
  EXPECT_EQ(view[4], 5);
  EXPECT_EQ(view.span().size(), 6u);
  int sum = 0;
  for (uint16_t element : view) sum += element;
  EXPECT_EQ(sum, 21);
  ArrayView<uint16_t> empty;
  EXPECT_EQ(empty.size(), 0);
  EXPECT_EQ(empty.shape(), (std::vector<int64_t>{0}));
}

TEST(ArrayTypes, EveryIntegerWidthIsAnElement) {
  static_assert(goray::detail::kIsArrayElement<long>);
  static_assert(goray::detail::kIsArrayElement<long long>);
  static_assert(goray::detail::kIsArrayElement<unsigned long long>);
  static_assert(goray::detail::kIsArrayElement<int8_t>);
  static_assert(!goray::detail::kIsArrayElement<char>);
  static_assert(!goray::detail::kIsArrayElement<long double>);
  static_assert(!goray::detail::kIsArrayElement<std::string>);
}

TEST(ArrayTypes, TypeNames) {
  EXPECT_EQ(goray::codec::TypeName<Array<double>>(), "goray::Array<double>");
  EXPECT_EQ(goray::codec::TypeName<ArrayView<double>>(), "goray::ArrayView<double>");
  EXPECT_EQ(goray::codec::TypeName<std::span<const double>>(), "std::span<const double>");
  EXPECT_EQ(goray::codec::TypeName<Array<int32_t>>(), "goray::Array<int32_t>");
  EXPECT_EQ(goray::codec::TypeName<Array<std::complex<float>>>(),
            "goray::Array<std::complex<float>>");
}

}  // namespace
