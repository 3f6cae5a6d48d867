// goray.map's native loop (goray/detail/map_loop.h): what a chunk's header and columns
// become, failures per item (the first, or every one), shared values, shorter forms,
// actor methods, and the refused chunks. Through the registry's map invokers directly;
// tests/ray/test_map.py runs the same loops on Ray.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <msgpack.hpp>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "array_test_util.h"
#include "goray/goray.h"

// A struct parameter, for structs of arrays (its adaptor as goray-gen writes one).
namespace map_loop_test {
struct Place {
  double lat = 0;
  double lon = 0;
  std::optional<std::string> label;
};
}  // namespace map_loop_test

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {
template <>
struct convert<::map_loop_test::Place> {
  const msgpack::object& operator()(const msgpack::object& object, ::map_loop_test::Place& value) const {
    goray::codec::StructDecoder decoder(object, value);
    decoder.Field("lat", value.lat);
    decoder.Field("lon", value.lon);
    decoder.Field("label", value.label);
    decoder.End();
    return object;
  }
};
}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

namespace {

using map_loop_test::Place;
double Sum(const Place& place) { return place.lat + place.lon; }

double Square(double x) { return x * x; }
std::int64_t Refuse(std::int64_t x, std::int64_t every) {
  if (x % every == 0) throw std::invalid_argument("no " + std::to_string(x));
  return x;
}
std::string Join(const std::string& a, const std::string& b) { return a + b; }
std::tuple<std::int64_t, std::string> Both(std::int64_t x) { return {x, std::to_string(x)}; }
std::int64_t g_touched = 0;
void Touch(std::int64_t x) { g_touched += x; }
double Scaled(double x, double factor) { return x * factor; }

struct Total {
  double value = 0;
  double Add(double x) { return value += x; }
};

// A GORAY_TASKS struct whose shared instance cannot be built.
struct Unbuildable {
  Unbuildable() { throw std::runtime_error("no instance"); }
  double Twice(double x) { return 2 * x; }
};

// Two columns and two shared values, each read as an array by the loop over blocks.
double Weighted(double x, double y, double wx, double wy) { return x * wx + y * wy; }

// A column as NumPy's travel: an array ext (ext 71) of `values`, which the loop over blocks
// reads in place. The handle owns the object.
template <class T>
msgpack::object_handle ArrayColumn(const std::vector<T>& values) {
  using Dtype = goray::codec::detail::ArrayDtype<T>;
  const std::string bytes = array_test::Ext32(
      71, array_test::Ext71Payload(Dtype::kind, Dtype::itemsize,
                                   {static_cast<int64_t>(values.size())}, array_test::Bytes(values)));
  msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
  EXPECT_EQ(handle.get().type, msgpack::type::EXT);
  return handle;
}

template <class T>
std::vector<T> Counting(std::size_t count) {
  std::vector<T> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<T>(i + 1);
  return values;
}

// A chunk's arguments: [header, values...], as msgpack objects that live with `zone`.
struct Chunk {
  msgpack::zone zone;
  std::vector<msgpack::object> values;

  template <class... V>
  Chunk(std::size_t count, std::vector<bool> columns, bool collect, const V&... v) {
    values.emplace_back(std::make_tuple(count, columns, collect), zone);
    (values.emplace_back(v, zone), ...);
  }
};

// A map invoker's answer: the results block's three values.
struct Answer {
  msgpack::object_handle results, failures, loop_ns;
  std::vector<std::pair<std::uint64_t, std::string>> Failures() const {
    return failures.get().as<std::vector<std::pair<std::uint64_t, std::string>>>();
  }
};

Answer RunChunk(const goray::MapInvoker& map, const char* callee, const Chunk& chunk, void* self = nullptr) {
  goray::codec::Buffer out(256);
  map(self, goray::detail::ArgList(callee, chunk.values), out);
  Answer answer;
  std::size_t offset = 0;
  answer.results = msgpack::unpack(out.data(), out.size(), offset);
  answer.failures = msgpack::unpack(out.data(), out.size(), offset);
  answer.loop_ns = msgpack::unpack(out.data(), out.size(), offset);
  EXPECT_EQ(offset, out.size());
  return answer;
}

class MapLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.AddTask("Square", &Square);
    registry_.AddTask("Refuse", &Refuse);
    registry_.AddTask("Join", &Join);
    registry_.AddTask("Both", &Both);
    registry_.AddTask("Touch", &Touch);
    registry_.AddTask("Scaled", &Scaled, [](double x) { return Scaled(x, 10); });
    registry_.AddTask("Sum", &Sum);
    registry_.AddActor<Total>("Total", [] { return Total{}; }).AddMethod("Add", &Total::Add);
    // As goray-gen registers tasks and methods: each a function known at compile time.
    registry_.AddTask("FixedSquare", goray::Fixed<&Square>{});
    registry_.AddTask("Weighted", goray::Fixed<&Weighted>{});
    registry_.AddTask("Twice", goray::Fixed<&Unbuildable::Twice>{});
    registry_.AddActor<Total>("FixedTotal", [] { return Total{}; })
        .AddMethod("Add", goray::Fixed<&Total::Add>{});
  }
  const goray::MapInvoker& Map(const char* name) {
    const goray::MapInvoker* map = registry_.FindTaskMap(name);
    EXPECT_NE(map, nullptr) << name;
    return *map;
  }
  goray::Registry registry_;
};

TEST_F(MapLoop, RunsEveryItemOfAColumnInOrder) {
  Answer answer = RunChunk(Map("Square"), "Square", Chunk(4, {true}, false, std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{1, 4, 9, 16}));
  EXPECT_TRUE(answer.Failures().empty());
  EXPECT_GE(answer.loop_ns.get().as<std::int64_t>(), 0);
}

TEST_F(MapLoop, ASharedValueReachesEveryItem) {
  Answer answer = RunChunk(Map("Join"), "Join",
                      Chunk(2, {false, true}, false, std::string("x-"), std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(answer.results.get().as<std::vector<std::string>>(), (std::vector<std::string>{"x-a", "x-b"}));
}

TEST_F(MapLoop, StopsAtTheFirstFailedItemUnlessCollecting) {
  Chunk chunk(6, {true, false}, false, std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, std::int64_t{3});
  Answer first = RunChunk(Map("Refuse"), "Refuse", chunk);
  auto failures = first.Failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, 2u);
  EXPECT_NE(failures[0].second.find("no 3"), std::string::npos) << failures[0].second;
  EXPECT_NE(failures[0].second.find("std::invalid_argument"), std::string::npos);

  Chunk collecting(6, {true, false}, true, std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}, std::int64_t{3});
  Answer every = RunChunk(Map("Refuse"), "Refuse", collecting);
  failures = every.Failures();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[1].first, 5u);
  // A failed item's slot in a number column stays 0; the others hold their results.
  EXPECT_EQ(every.results.get().as<std::vector<std::int64_t>>(), (std::vector<std::int64_t>{1, 2, 0, 4, 5, 0}));
}

TEST_F(MapLoop, AnItemOfTheWrongTypeFailsAloneNamingItsParameter) {
  msgpack::zone zone;
  std::vector<msgpack::object> mixed = {msgpack::object(1.5), msgpack::object("two", zone), msgpack::object(3.0)};
  Chunk chunk(3, {true}, true, msgpack::object(mixed, zone));
  Answer answer = RunChunk(Map("Square"), "Square", chunk);
  auto failures = answer.Failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, 1u);
  EXPECT_NE(failures[0].second.find("goray::ArgumentError"), std::string::npos) << failures[0].second;
  EXPECT_NE(failures[0].second.find("\"position\":0"), std::string::npos) << failures[0].second;
  EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{2.25, 0, 9}));
}

TEST_F(MapLoop, SeveralResultsAreAListPerItemAndVoidIsNil) {
  Answer both = RunChunk(Map("Both"), "Both", Chunk(2, {true}, false, std::vector<std::int64_t>{1, 2}));
  auto pairs = both.results.get().as<std::vector<std::tuple<std::int64_t, std::string>>>();
  EXPECT_EQ(std::get<1>(pairs[1]), "2");
  g_touched = 0;
  Answer touched = RunChunk(Map("Touch"), "Touch", Chunk(3, {true}, false, std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_TRUE(touched.results.get().is_nil());
  EXPECT_EQ(g_touched, 6);
}

TEST_F(MapLoop, AShorterFormTakesFewerValues) {
  Answer answer = RunChunk(Map("Scaled"), "Scaled", Chunk(2, {true}, false, std::vector<double>{1, 2}));
  EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{10, 20}));
}

TEST_F(MapLoop, AnActorMethodRunsEveryItemOnItsInstance) {
  const goray::ActorType& type = registry_.ActorTypeOrThrow("Total");
  Total total;
  Answer answer = RunChunk(type.maps.at("Add"), "Total.Add", Chunk(3, {true}, false, std::vector<double>{1, 2, 3}), &total);
  EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{1, 3, 6}));
  EXPECT_EQ(total.value, 6);
}

TEST_F(MapLoop, RefusesAChunkItCannotRead) {
  // A column shorter than the header's count.
  EXPECT_THROW(RunChunk(Map("Square"), "Square", Chunk(3, {true}, false, std::vector<double>{1})),
               goray::ArgumentError);
  // A count of parameters no form takes.
  EXPECT_THROW(RunChunk(Map("Square"), "Square", Chunk(1, {true, true}, false, std::vector<double>{1},
                                                  std::vector<double>{1})),
               goray::ArgumentError);
  // A header that is not [count, [column?...], collect].
  Chunk bad(1, {true}, false, std::vector<double>{1});
  bad.values[0] = msgpack::object(std::string("header"), bad.zone);
  EXPECT_THROW(RunChunk(Map("Square"), "Square", bad), goray::ProtocolError);
  // A column that is neither a list nor an array.
  EXPECT_THROW(RunChunk(Map("Join"), "Join", Chunk(1, {true, true}, false, std::string("a"), std::string("b"))),
               goray::ArgumentError);
}

// The message of the ArgumentError a chunk throws.
template <class Run>
std::string ChunkError(Run run) {
  try {
    run();
  } catch (const goray::ArgumentError& error) {
    EXPECT_EQ(error.position(), 0u);
    return error.what();
  }
  ADD_FAILURE() << "the chunk ran";
  return "";
}

TEST_F(MapLoop, AStructOfArraysTakesAColumnPerField) {
  using Columns = std::map<std::string, std::vector<double>>;
  Answer answer = RunChunk(Map("Sum"), "Sum", Chunk(2, {true}, false, Columns{{"lat", {1, 2}}, {"lon", {3, 4}}}));
  EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{4, 6}));
  EXPECT_TRUE(answer.Failures().empty());
}

TEST_F(MapLoop, AStructOfArraysWithoutAFieldOrWithAnotherIsRefusedBeforeAnyItem) {
  using Columns = std::map<std::string, std::vector<double>>;
  const std::string fields = "expected a struct of arrays of map_loop_test::Place (fields lat, lon, label (optional))";
  EXPECT_EQ(ChunkError([&] { RunChunk(Map("Sum"), "Sum", Chunk(2, {true}, true, Columns{{"lat", {1, 2}}})); }),
            "goray::ArgumentError: position 0: " + fields + ", received columns 'lat': no column for "
            "field 'lon' (task Sum)");
  EXPECT_EQ(ChunkError([&] {
              RunChunk(Map("Sum"), "Sum",
                       Chunk(2, {true}, true, Columns{{"colour", {0, 0}}, {"lat", {1, 2}}, {"lon", {3, 4}}}));
            }),
            "goray::ArgumentError: position 0: " + fields + ", received columns 'colour', 'lat', "
            "'lon': 'colour' is no field of map_loop_test::Place (task Sum)");
  EXPECT_EQ(ChunkError([&] { RunChunk(Map("Sum"), "Sum", Chunk(1, {true}, true, Columns{{"x", {1}}})); }),
            "goray::ArgumentError: position 0: " + fields + ", received columns 'x': no column for "
            "fields 'lat', 'lon'; 'x' is no field of map_loop_test::Place (task Sum)");
}

TEST_F(MapLoop, AStructItemWithoutAFieldFailsAlone) {
  using Fields = std::map<std::string, double>;
  Answer answer = RunChunk(Map("Sum"), "Sum",
                           Chunk(2, {true}, true, std::vector<Fields>{{{"lat", 1}}, {{"lat", 1}, {"lon", 2}}}));
  auto failures = answer.Failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, 0u);
  EXPECT_NE(failures[0].second.find("position 0: expected map_loop_test::Place, received map without "
                                    "field .lon (double, in map_loop_test::Place)"),
            std::string::npos)
      << failures[0].second;
  EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{0, 3}));
}

// Numbers as arrays (or shared values) take the loop over blocks of kMapBlock items: the
// same answers as the general loop, across the blocks' edges.
TEST_F(MapLoop, ArraysOfNumbersRunEveryItemAcrossBlocks) {
  const std::size_t count = 3 * goray::detail::kMapBlock + 17;
  const std::vector<double> x = Counting<double>(count);
  std::vector<double> y(count);
  for (std::size_t i = 0; i < count; ++i) y[i] = 0.5 * static_cast<double>(count - i);
  auto xs = ArrayColumn(x), ys = ArrayColumn(y);
  Answer answer = RunChunk(Map("Weighted"), "Weighted",
                           Chunk(count, {true, true, false, false}, false, xs.get(), ys.get(), 2.0, -1.0));
  const auto results = answer.results.get().as<std::vector<double>>();
  ASSERT_EQ(results.size(), count);
  for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(results[i], Weighted(x[i], y[i], 2.0, -1.0)) << i;
  EXPECT_TRUE(answer.Failures().empty());
  // A shared value first, columns after; a plain (runtime) function pointer as a Fixed one.
  Answer mixed = RunChunk(Map("Weighted"), "Weighted",
                          Chunk(count, {false, true, true, false}, false, 3.0, xs.get(), ys.get(), 1.0));
  EXPECT_EQ(mixed.results.get().as<std::vector<double>>()[count - 1], Weighted(3.0, x[count - 1], y[count - 1], 1.0));
  for (const char* name : {"Square", "FixedSquare"}) {
    Answer squares = RunChunk(Map(name), name, Chunk(count, {true}, false, xs.get()));
    EXPECT_EQ(squares.results.get().as<std::vector<double>>()[count - 1], x[count - 1] * x[count - 1]) << name;
  }
  // Every parameter shared: one value for every item.
  Answer shared = RunChunk(Map("Weighted"), "Weighted", Chunk(5, {false, false, false, false}, false, 1.0, 2.0, 3.0, 4.0));
  EXPECT_EQ(shared.results.get().as<std::vector<double>>(), std::vector<double>(5, 11.0));
  // No items.
  Answer none = RunChunk(Map("Weighted"), "Weighted",
                         Chunk(0, {true, true, false, false}, false, ArrayColumn(std::vector<double>{}).get(),
                               ArrayColumn(std::vector<double>{}).get(), 1.0, 1.0));
  EXPECT_TRUE(none.results.get().as<std::vector<double>>().empty());
}

TEST_F(MapLoop, AFailedItemInABlockIsReportedByItsIndex) {
  const std::size_t count = 2 * goray::detail::kMapBlock + 100;
  auto column = ArrayColumn(Counting<std::int64_t>(count));
  const std::int64_t every = goray::detail::kMapBlock + 1;  // items every-1, 2*every-1 fail
  Answer first = RunChunk(Map("Refuse"), "Refuse", Chunk(count, {true, false}, false, column.get(), every));
  auto failures = first.Failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, static_cast<std::uint64_t>(every - 1));
  EXPECT_NE(failures[0].second.find("no " + std::to_string(every)), std::string::npos) << failures[0].second;
  // Stopped there: the results end with the failed item's slot.
  EXPECT_EQ(first.results.get().as<std::vector<std::int64_t>>().size(), static_cast<std::size_t>(every));

  Answer every_one = RunChunk(Map("Refuse"), "Refuse", Chunk(count, {true, false}, true, column.get(), every));
  failures = every_one.Failures();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[1].first, static_cast<std::uint64_t>(2 * every - 1));
  const auto results = every_one.results.get().as<std::vector<std::int64_t>>();
  ASSERT_EQ(results.size(), count);
  EXPECT_EQ(results[every - 1], 0);
  EXPECT_EQ(results[every], every + 1);
}

TEST_F(MapLoop, VoidAndActorMethodsRunOverArraysInOrder) {
  g_touched = 0;
  const std::size_t count = goray::detail::kMapBlock + 3;
  Answer touched = RunChunk(Map("Touch"), "Touch", Chunk(count, {true}, false, ArrayColumn(Counting<std::int64_t>(count)).get()));
  EXPECT_TRUE(touched.results.get().is_nil());
  EXPECT_EQ(g_touched, static_cast<std::int64_t>(count * (count + 1) / 2));
  for (const char* type_name : {"Total", "FixedTotal"}) {
    const goray::ActorType& type = registry_.ActorTypeOrThrow(type_name);
    Total total;
    Answer answer = RunChunk(type.maps.at("Add"), "Total.Add",
                             Chunk(3, {true}, false, ArrayColumn(std::vector<double>{1, 2, 3}).get()), &total);
    EXPECT_EQ(answer.results.get().as<std::vector<double>>(), (std::vector<double>{1, 3, 6})) << type_name;
    EXPECT_EQ(total.value, 6);
  }
}

TEST_F(MapLoop, ATaskWhoseInstanceCannotBeBuiltFailsItsItems) {
  auto column = ArrayColumn(std::vector<double>{1, 2, 3});
  Answer first = RunChunk(Map("Twice"), "Twice", Chunk(3, {true}, false, column.get()));
  auto failures = first.Failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, 0u);
  EXPECT_NE(failures[0].second.find("no instance"), std::string::npos) << failures[0].second;
  Answer every = RunChunk(Map("Twice"), "Twice", Chunk(3, {true}, true, column.get()));
  EXPECT_EQ(every.Failures().size(), 3u);
  EXPECT_EQ(every.results.get().as<std::vector<double>>(), (std::vector<double>{0, 0, 0}));
}

TEST_F(MapLoop, AFixedTaskAnswersAnOrdinaryCall) {
  const goray::TaskInvoker* square = registry_.FindTask("FixedSquare");
  ASSERT_NE(square, nullptr);
  msgpack::zone zone;
  std::vector<msgpack::object> values = {msgpack::object(3.0)};
  goray::codec::Buffer out(64);
  (*square)(goray::detail::ArgList("FixedSquare", values), out);
  EXPECT_EQ(msgpack::unpack(out.data(), out.size()).get().as<double>(), 9.0);
}

TEST_F(MapLoop, DescribesItsColumnsAndResult) {
  EXPECT_EQ(*registry_.FindTaskMapDescription("Square"),
            R"({"columns":["f8"],"result":"f8","void":false})");
  EXPECT_EQ(*registry_.FindTaskMapDescription("Join"), R"({"columns":["",""],"result":"","void":false})");
  EXPECT_EQ(*registry_.FindTaskMapDescription("Touch"), R"({"columns":["i8"],"result":"","void":true})");
}

}  // namespace

// Of runtime/src, this file exercises application/registry.cpp most directly (docs/testing.md,
// "Finding a module's tests").
