// The typed entries' table (GorayTypedEntries, docs/protocol.md §17): one entry per form of
// every task, constructor and method, and the signatures' fingerprint the registration
// gave; a generator's call keeps the values its generator refers to; a
// thunk called with C++ values runs the callable as Execute would (a member function on
// its struct's one instance, a method on the instance it is given); an exception becomes
// Execute's code-5 payload; a constructor's instance is adopted into the instance table
// Execute's commands read, and closed there.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "abi_call.h"
#include "goray/abi.h"
#include "goray/goray.h"
#include "test_application.h"

namespace typed_entries_test {

struct Tasks {
  int64_t calls = 0;
  double Scale(double x, double by) { return ++calls, x * by; }
  std::string Greet(const std::string& who) { return "hi " + who; }
};

int64_t Add(int64_t a, int64_t b) { return a + b; }
int64_t Fail(std::string why) { throw std::domain_error(why); }
goray::Generator<int64_t> Count(int64_t n) {
  for (int64_t i = 0; i < n; ++i) co_yield i;
}
// Refers to its argument after the call returned: the stream keeps the value.
goray::Generator<int64_t> Letters(const std::string& text) {
  for (char letter : text) co_yield letter;
}

struct Counter {
  explicit Counter(int64_t start) : n(start) {}
  int64_t Incr(int64_t by) { return n += by; }
  int64_t n;
};

}  // namespace typed_entries_test

GORAY_TEST_APPLICATION(registry) {
  using namespace typed_entries_test;
  registry.SetName("typedapp", "typedapp-signatures");
  registry.AddTask("Scale", goray::Fixed<&Tasks::Scale>{},
                   [](double x) { return goray::detail::SharedInstance<Tasks>().Scale(x, 2.0); });
  registry.AddTask("Greet", goray::Fixed<&Tasks::Greet>{});
  registry.AddTask("Add", &Add);
  registry.AddTask("Fail", &Fail);
  registry.AddTask("Count", &Count);
  registry.AddTask("Letters", &Letters);
  registry.AddActor<Counter>("Counter", &goray::Constructor<Counter, int64_t>::Create)
      .AddMethod("Incr", goray::Fixed<&Counter::Incr>{});
}

namespace typed_entries_test {
namespace {

using goray::detail::TypedEntries;
using goray::detail::TypedEntry;
using goray::detail::TypedFailure;
using goray::detail::TypedKind;

const TypedEntries& Table() {
  const void* table = GorayTypedEntries(goray::detail::kTypedEntriesAbi);
  if (table == nullptr) throw std::runtime_error("no table");
  return *static_cast<const TypedEntries*>(table);
}

const TypedEntry* Find(TypedKind kind, const std::string& type, const std::string& name,
                       std::size_t arity) {
  for (const TypedEntry& entry : Table().entries) {
    if (entry.kind == kind && entry.type == type && entry.name == name && entry.arity == arity) {
      return &entry;
    }
  }
  return nullptr;
}

TEST(TypedEntries, AnotherLayoutGetsNoTable) {
  EXPECT_EQ(GorayTypedEntries(goray::detail::kTypedEntriesAbi + 1), nullptr);
}

TEST(TypedEntries, TheTableNamesTheApplicationAndEveryForm) {
  const TypedEntries& table = Table();
  EXPECT_EQ(table.app_name, "typedapp");
  EXPECT_TRUE(table.registration_error.empty()) << table.registration_error;
  EXPECT_NE(Find(TypedKind::kTask, "", "Scale", 2), nullptr);
  EXPECT_NE(Find(TypedKind::kTask, "", "Scale", 1), nullptr);  // the shorter form
  EXPECT_NE(Find(TypedKind::kTask, "", "Greet", 1), nullptr);
  EXPECT_NE(Find(TypedKind::kConstructor, "Counter", "Counter", 1), nullptr);
  EXPECT_NE(Find(TypedKind::kMethod, "Counter", "Incr", 1), nullptr);
  EXPECT_NE(Find(TypedKind::kTask, "", "Count", 1), nullptr);  // a generator
  EXPECT_EQ(table.signatures, "typedapp-signatures");
}

TEST(TypedEntries, AGeneratorsCallKeepsTheValuesItRefersTo) {
  const TypedEntry& letters = *Find(TypedKind::kTask, "", "Letters", 1);
  auto text = std::make_unique<std::string>("abc");
  void* args[] = {text.get()};
  alignas(goray::detail::TypedGenerator<int64_t>) unsigned char slot[sizeof(goray::detail::TypedGenerator<int64_t>)];
  TypedFailure failure;
  ASSERT_TRUE(letters.thunk(letters.state.get(), nullptr, args, slot, nullptr, &failure)) << failure.payload;
  text.reset();  // the caller's value is gone (moved from, then destroyed)
  auto& made = *std::launder(reinterpret_cast<goray::detail::TypedGenerator<int64_t>*>(slot));
  std::string seen;
  for (int64_t letter : made.generator) seen += static_cast<char>(letter);
  EXPECT_EQ(seen, "abc");
  made.~TypedGenerator();
}

// msgpack of one value, as the entries module packs an argument it does not convert.
template <class T>
std::string Packed(const T& value) {
  goray::codec::Buffer out;
  goray::codec::Packer packer(out);
  goray::codec::Encode(packer, value);
  return std::string(out.data(), out.size());
}

TEST(TypedEntries, APackedArgumentIsDecodedForItsParameter) {
  const TypedEntry& add = *Find(TypedKind::kTask, "", "Add", 2);
  int64_t a = 40, unused = 0, result = 0;
  void* args[] = {&a, &unused};
  const std::string two = Packed(int64_t{2});
  const std::string_view packed[] = {{}, two};
  const goray::detail::TypedPacking packing{packed, false};
  TypedFailure failure;
  ASSERT_TRUE(add.thunk(add.state.get(), nullptr, args, &result, &packing, &failure)) << failure.payload;
  EXPECT_EQ(result, 42);
}

TEST(TypedEntries, APackedArgumentThatDoesNotFitIsTheCodecsArgumentError) {
  const TypedEntry& add = *Find(TypedKind::kTask, "", "Add", 2);
  int64_t a = 1, unused = 0, result = 0;
  void* args[] = {&a, &unused};
  const std::string text = Packed(std::string("two"));
  const std::string_view packed[] = {{}, text};
  const goray::detail::TypedPacking packing{packed, false};
  TypedFailure failure;
  EXPECT_FALSE(add.thunk(add.state.get(), nullptr, args, &result, &packing, &failure));
  EXPECT_EQ(failure.code, goray::detail::kPanic);
  // Execute's answer to the same call, word for word.
  abi_call::Result through_execute = abi_call::Call(4, abi_call::CallPayload("Add", int64_t{1}, std::string("two")));
  EXPECT_EQ(failure.payload, through_execute.body);
  EXPECT_NE(failure.payload.find("int64_t"), std::string::npos) << failure.payload;
}

TEST(TypedEntries, APackedResultIsANativeReturnBlock) {
  const TypedEntry& greet = *Find(TypedKind::kTask, "", "Greet", 1);
  std::string who = "ann";
  void* args[] = {&who};
  alignas(goray::detail::PackedResult) unsigned char slot[sizeof(goray::detail::PackedResult)];
  const goray::detail::TypedPacking packing{nullptr, true};
  TypedFailure failure;
  ASSERT_TRUE(greet.thunk(greet.state.get(), nullptr, args, slot, &packing, &failure)) << failure.payload;
  auto& packed = *std::launder(reinterpret_cast<goray::detail::PackedResult*>(slot));
  EXPECT_EQ(packed.block, Packed(std::string("hi ann")));
  EXPECT_TRUE(packed.pins.empty());  // (no ref in it)
  packed.~PackedResult();
}

TEST(TypedEntries, AWrongCountIsTheLibrarysArgumentError) {
  TypedFailure failure;
  Table().count_failure("Scale", 1, 2, 3, &failure);
  EXPECT_EQ(failure.code, goray::detail::kPanic);
  EXPECT_NE(failure.payload.find("expected 1 to 2 arguments, received 3"), std::string::npos) << failure.payload;
}

TEST(TypedEntries, AThunkCallsTheTaskOnItsStructsOneInstance) {
  const TypedEntry& scale = *Find(TypedKind::kTask, "", "Scale", 2);
  // Shuffled and repeated runs share the instance: count this test's calls only.
  const int64_t calls_before = goray::detail::SharedInstance<Tasks>().calls;
  double x = 3.0, by = 1.5, result = 0;
  void* args[] = {&x, &by};
  TypedFailure failure;
  ASSERT_TRUE(scale.thunk(scale.state.get(), nullptr, args, &result, nullptr, &failure)) << failure.payload;
  EXPECT_EQ(result, 4.5);
  const TypedEntry& shorter = *Find(TypedKind::kTask, "", "Scale", 1);
  void* one[] = {&x};
  ASSERT_TRUE(shorter.thunk(shorter.state.get(), nullptr, one, &result, nullptr, &failure));
  EXPECT_EQ(result, 6.0);
  EXPECT_EQ(goray::detail::SharedInstance<Tasks>().calls - calls_before, 2);
}

TEST(TypedEntries, AnExceptionIsExecutesCode5Payload) {
  const TypedEntry& fail = *Find(TypedKind::kTask, "", "Fail", 1);
  std::string why = "boom";
  void* args[] = {&why};
  int64_t result = 0;
  TypedFailure failure;
  EXPECT_FALSE(fail.thunk(fail.state.get(), nullptr, args, &result, nullptr, &failure));
  EXPECT_EQ(failure.code, 5);
  abi_call::Result through_execute = abi_call::Call(4, abi_call::CallPayload("Fail", std::string("boom")));
  EXPECT_EQ(through_execute.code, 5);
  EXPECT_EQ(failure.payload, through_execute.body);
}

TEST(TypedEntries, AConstructorsInstanceIsAdoptedAndClosedInExecutesTable) {
  const TypedEntries& table = Table();
  const TypedEntry& make = *Find(TypedKind::kConstructor, "Counter", "Counter", 1);
  int64_t start = 10;
  void* args[] = {&start};
  alignas(std::shared_ptr<void>) unsigned char storage[sizeof(std::shared_ptr<void>)];
  TypedFailure failure;
  ASSERT_TRUE(make.thunk(make.state.get(), nullptr, args, storage, nullptr, &failure)) << failure.payload;
  auto* made = std::launder(reinterpret_cast<std::shared_ptr<void>*>(storage));
  std::shared_ptr<void> object = std::move(*made);
  made->~shared_ptr();
  uint64_t index = 0;
  ASSERT_TRUE(table.adopt_instance("Counter", object, &index, &failure));
  // The method's thunk on the instance, and Execute's ActorMethodCall on the same one.
  const TypedEntry& incr = *Find(TypedKind::kMethod, "Counter", "Incr", 1);
  int64_t by = 5, result = 0;
  void* incr_args[] = {&by};
  ASSERT_TRUE(incr.thunk(incr.state.get(), object.get(), incr_args, &result, nullptr, &failure));
  EXPECT_EQ(result, 15);
  abi_call::Result through_execute = abi_call::Call(6, abi_call::CallPayload("Incr", int64_t{1}), index);
  ASSERT_EQ(through_execute.code, 0) << through_execute.body;
  EXPECT_TRUE(table.close_instance(index));
  EXPECT_FALSE(table.close_instance(index));
  abi_call::Result after_close = abi_call::Call(6, abi_call::CallPayload("Incr", int64_t{1}), index);
  EXPECT_NE(after_close.code, 0);
  EXPECT_NE(after_close.body.find("is closed"), std::string::npos) << after_close.body;
  EXPECT_FALSE(table.adopt_instance("Nope", object, &index, &failure));
  EXPECT_EQ(failure.code, 5);
}

TEST(TypedEntries, DescribeApplicationNamesTheApplication) {
  abi_call::Result described = abi_call::Call(38, "");
  ASSERT_EQ(described.code, 0) << described.body;
  EXPECT_EQ(nlohmann::json::parse(described.body).at("name"), "typedapp");
}

}  // namespace
}  // namespace typed_entries_test

// Of runtime/src, this file exercises abi/registration.cpp most directly (docs/testing.md,
// "Finding a module's tests").
