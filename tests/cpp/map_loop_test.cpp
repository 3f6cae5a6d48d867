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

TEST_F(MapLoop, DescribesItsColumnsAndResult) {
  EXPECT_EQ(*registry_.FindTaskMapDescription("Square"),
            R"({"columns":["f8"],"result":"f8","void":false})");
  EXPECT_EQ(*registry_.FindTaskMapDescription("Join"), R"({"columns":["",""],"result":"","void":false})");
  EXPECT_EQ(*registry_.FindTaskMapDescription("Touch"), R"({"columns":["i8"],"result":"","void":true})");
}

}  // namespace
