// goray::Generator<T> on its own: laziness, items in order, the end, exceptions at
// resume, destruction of an unfinished frame, moves, iteration in plain C++.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "goray/goray.h"
#include "test_application.h"

GORAY_TEST_APPLICATION(registry) {}

namespace {

using goray::Generator;

// Counts live frames: each generator below holds one for its whole body.
int g_alive = 0;
struct Alive {
  Alive() { ++g_alive; }
  ~Alive() { --g_alive; }
};

Generator<int> Count(int n, int* started = nullptr) {
  Alive alive;
  if (started != nullptr) ++*started;
  for (int i = 0; i < n; ++i) co_yield i;
}

Generator<int> ThrowAfter(int n) {
  Alive alive;
  for (int i = 0; i < n; ++i) co_yield i;
  throw std::runtime_error("broke after " + std::to_string(n));
}

Generator<std::string> Words() {
  co_yield "literal";           // const char* converts
  std::string kept = "kept";
  co_yield kept;                // an lvalue is copied
  co_yield std::string("temporary");
  co_return;
  co_yield "never";
}

Generator<std::unique_ptr<int>> Boxes() {
  co_yield std::make_unique<int>(7);
  co_yield std::make_unique<int>(8);
}

static_assert(!std::is_copy_constructible_v<Generator<int>>);
static_assert(!std::is_copy_assignable_v<Generator<int>>);
static_assert(std::is_nothrow_move_constructible_v<Generator<int>>);
static_assert(std::is_nothrow_move_assignable_v<Generator<int>>);
static_assert(std::input_iterator<Generator<int>::iterator>);
static_assert(std::is_same_v<goray::detail::GeneratorResult<Generator<double>>::Item, double>);
static_assert(!goray::detail::GeneratorResult<double>::value);

class GeneratorTest : public testing::Test {
 protected:
  void SetUp() override { g_alive = 0; }
  void TearDown() override { EXPECT_EQ(g_alive, 0); }
};

TEST_F(GeneratorTest, BodyStartsAtTheFirstNext) {
  int started = 0;
  Generator<int> items = Count(2, &started);
  EXPECT_EQ(started, 0);  // lazy: created, not run
  EXPECT_FALSE(items.done());
  ASSERT_TRUE(items.Next());
  EXPECT_EQ(started, 1);
  EXPECT_EQ(items.value(), 0);
}

TEST_F(GeneratorTest, YieldsInOrderThenEndsForGood) {
  Generator<int> items = Count(3);
  std::vector<int> seen;
  while (items.Next()) seen.push_back(items.value());
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(items.done());
  EXPECT_EQ(g_alive, 0);  // the body's locals are gone at its end
  EXPECT_FALSE(items.Next());
  EXPECT_FALSE(items.Next());
}

TEST_F(GeneratorTest, ValueWithoutAnItemThrows) {
  Generator<int> items = Count(1);
  EXPECT_THROW(items.value(), std::logic_error);  // before the first Next
  ASSERT_TRUE(items.Next());
  EXPECT_EQ(items.value(), 0);
  EXPECT_FALSE(items.Next());
  EXPECT_THROW(items.value(), std::logic_error);  // after the end
  Generator<int> empty;
  EXPECT_TRUE(empty.done());
  EXPECT_FALSE(empty.Next());
}

TEST_F(GeneratorTest, ExceptionPropagatesAtTheResumeThatRaisedIt) {
  Generator<int> items = ThrowAfter(2);
  ASSERT_TRUE(items.Next());
  EXPECT_EQ(items.value(), 0);
  ASSERT_TRUE(items.Next());
  EXPECT_EQ(items.value(), 1);
  try {
    items.Next();
    FAIL() << "expected the body's exception";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "broke after 2");
  }
  EXPECT_TRUE(items.done());
  EXPECT_EQ(g_alive, 0);
  EXPECT_FALSE(items.Next());  // finished: no second throw
}

TEST_F(GeneratorTest, DestroyingAnUnfinishedGeneratorRunsItsFrameDestructors) {
  {
    Generator<int> items = Count(100);
    ASSERT_TRUE(items.Next());
    ASSERT_TRUE(items.Next());
    EXPECT_EQ(g_alive, 1);
  }
  EXPECT_EQ(g_alive, 0);
  {
    Generator<int> never_started = Count(5);  // the frame exists, its body never ran
  }
  EXPECT_EQ(g_alive, 0);
}

TEST_F(GeneratorTest, MovesTransferTheFrame) {
  Generator<int> first = Count(3);
  ASSERT_TRUE(first.Next());
  Generator<int> second = std::move(first);
  EXPECT_TRUE(first.done());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(second.value(), 0);
  ASSERT_TRUE(second.Next());
  EXPECT_EQ(second.value(), 1);
  Generator<int> third = Count(10);
  ASSERT_TRUE(third.Next());
  EXPECT_EQ(g_alive, 2);
  third = std::move(second);  // third's own frame is destroyed
  EXPECT_EQ(g_alive, 1);
  ASSERT_TRUE(third.Next());
  EXPECT_EQ(third.value(), 2);
}

TEST_F(GeneratorTest, YieldsWhatConvertsToItsItemType) {
  std::vector<std::string> seen;
  for (const std::string& word : Words()) seen.push_back(word);
  EXPECT_EQ(seen, (std::vector<std::string>{"literal", "kept", "temporary"}));
}

TEST_F(GeneratorTest, MoveOnlyItemsCanBeTakenOver) {
  Generator<std::unique_ptr<int>> boxes = Boxes();
  std::vector<int> seen;
  while (boxes.Next()) {
    std::unique_ptr<int> box = std::move(boxes.value());
    seen.push_back(*box);
  }
  EXPECT_EQ(seen, (std::vector<int>{7, 8}));
}

TEST_F(GeneratorTest, RangeForAndEarlyBreak) {
  std::vector<int> seen;
  for (int i : Count(4)) seen.push_back(i);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
  seen.clear();
  {
    Generator<int> items = Count(100);
    for (int i : items) {
      if (i == 2) break;
      seen.push_back(i);
    }
    EXPECT_EQ(g_alive, 1);
  }
  EXPECT_EQ(seen, (std::vector<int>{0, 1}));
  EXPECT_EQ(g_alive, 0);
  for (int i : Count(0)) ADD_FAILURE() << "an empty generator yielded " << i;
}

TEST_F(GeneratorTest, ExceptionPropagatesThroughIteration) {
  std::vector<int> seen;
  EXPECT_THROW(
      {
        for (int i : ThrowAfter(3)) seen.push_back(i);
      },
      std::runtime_error);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
}

TEST_F(GeneratorTest, LambdaAndMemberCoroutines) {
  struct Owner {
    int base = 10;
    Generator<int> Offsets(int n) {
      for (int i = 0; i < n; ++i) co_yield base + i;
    }
  };
  Owner owner;
  std::vector<int> seen;
  for (int i : owner.Offsets(2)) seen.push_back(i);
  auto squares = [](int n) -> Generator<long> {
    for (int i = 1; i <= n; ++i) co_yield static_cast<long>(i) * i;
  };
  for (long i : squares(3)) seen.push_back(static_cast<int>(i));
  EXPECT_EQ(seen, (std::vector<int>{10, 11, 1, 4, 9}));
}

// Struct items the way docs/streams.md tells g++ 12 users to yield them (a named value,
// copied or moved), with members that own memory: ASan checks they are freed once.
struct Row {
  std::string name;
  std::vector<double> values;
};

Generator<Row> NamedRows(int n, const std::string& prefix) {
  for (int i = 0; i < n; ++i) {
    Row row{prefix + std::to_string(i) + std::string(40, 'x'), std::vector<double>(3, i)};
    if (i % 2 == 0) {
      co_yield row;
    } else {
      co_yield std::move(row);
    }
  }
}

TEST_F(GeneratorTest, NamedStructItemsWithOwningMembers) {
  std::string prefix = "row-";
  std::vector<std::string> names;
  for (const Row& row : NamedRows(4, prefix)) {
    names.push_back(row.name.substr(0, 5));
    EXPECT_EQ(row.values.size(), 3u);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"row-0", "row-1", "row-2", "row-3"}));
}

}  // namespace
