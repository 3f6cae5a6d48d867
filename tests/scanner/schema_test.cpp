// The IDL's JSON Schema (generator/idl/idl.schema.json): every golden file conforms to it
// (and so does every IDL a test scan writes: test_support.h), and the checker rejects what
// the schema forbids.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "json_schema_check.h"
#include "test_support.h"

namespace goray::scan::testing {
namespace {

using nlohmann::json;

json Schema() { return json::parse(ReadFile(SchemaPath())); }

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(Schema, IsDraft202012AndVersioned) {
  json schema = Schema();
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["properties"]["idl_version"]["const"], kIdlVersion);
}

class GoldenSchemaTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenSchemaTest, GoldenFileConforms) {
  json idl = json::parse(ReadFile(GoldenPath(GetParam())));
  std::vector<std::string> errors = SchemaErrors(Schema(), idl);
  EXPECT_TRUE(errors.empty()) << Join(errors);
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  nlohmann::json listed = GoldenCases();
  for (const auto& [name, golden_case] : listed.items()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenSchemaTest, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

TEST(Schema, RejectsMissingKeysWrongKindsAndExtras) {
  json schema = Schema();
  json idl = json::parse(ReadFile(GoldenPath("app")));
  ASSERT_TRUE(SchemaErrors(schema, idl).empty());

  json missing = idl;
  missing["tasks"][0].erase("owner");
  EXPECT_FALSE(SchemaErrors(schema, missing).empty());

  json wrong_kind = idl;
  wrong_kind["tasks"][0]["result"]["kind"] = "quaternion";
  EXPECT_FALSE(SchemaErrors(schema, wrong_kind).empty());

  json extra = idl;
  extra["tasks"][0]["result"]["presentation"] = "bold";
  EXPECT_FALSE(SchemaErrors(schema, extra).empty());

  json tuple_param = idl;
  tuple_param["tasks"][0]["params"][0]["type"] = idl["tasks"][1]["result"];
  EXPECT_FALSE(SchemaErrors(schema, tuple_param).empty()) << "a tuple is a result type only";

  json version = idl;
  version["idl_version"] = kIdlVersion + 1;
  EXPECT_FALSE(SchemaErrors(schema, version).empty());
}

// A std::string_view is a parameter's own type or a result only; std::monostate only a
// variant's alternative.
TEST(Schema, StringViewsAndMonostatesOnlyWhereTheyMayBe) {
  json schema = Schema();
  json idl = json::parse(ReadFile(GoldenPath("types")));
  ASSERT_TRUE(SchemaErrors(schema, idl).empty());
  json view, monostate;
  for (const json& task : idl["tasks"]) {
    if (task["name"] == "View") view = task["result"];
    if (task["name"] == "Variant") monostate = task["result"]["alternatives"][0];
  }
  ASSERT_EQ(view["kind"], "string_view");
  ASSERT_EQ(monostate["kind"], "monostate");

  json field = idl;
  field["structs"][0]["fields"][0]["type"] = view;
  EXPECT_FALSE(SchemaErrors(schema, field).empty()) << "a string_view field";
  json element = idl;
  element["tasks"][0]["result"] = {{"spelling", "std::vector<std::string_view>"},
                                   {"canonical", "std::vector<std::string_view>"},
                                   {"kind", "vector"},
                                   {"element", view}};
  EXPECT_FALSE(SchemaErrors(schema, element).empty()) << "a string_view element";
  json alone = idl;
  alone["tasks"][0]["result"] = monostate;
  EXPECT_FALSE(SchemaErrors(schema, alone).empty()) << "a monostate outside a variant";
}

// A goray::ArrayView or std::span borrows for one call: the schema allows one only as a
// parameter's own type, never as a result, a field or an element.
TEST(Schema, BorrowedArraysAreParametersOnly) {
  json schema = Schema();
  json idl = json::parse(ReadFile(GoldenPath("arrays")));
  ASSERT_TRUE(SchemaErrors(schema, idl).empty());
  const json& scale = idl["tasks"][0];
  ASSERT_EQ(scale["name"], "Scale");
  const json& view = scale["params"][0]["type"];
  ASSERT_EQ(view["form"], "view");

  json view_result = idl;
  view_result["tasks"][0]["result"] = view;
  EXPECT_FALSE(SchemaErrors(schema, view_result).empty());

  json view_field = idl;
  view_field["structs"][0]["fields"][0]["type"] = view;
  EXPECT_FALSE(SchemaErrors(schema, view_field).empty());

  json view_element = idl;
  view_element["tasks"][0]["params"][0]["type"] = {
      {"spelling", "std::optional<goray::ArrayView<double>>"},
      {"canonical", "std::optional<goray::ArrayView<double>>"},
      {"kind", "optional"},
      {"element", view}};
  EXPECT_FALSE(SchemaErrors(schema, view_element).empty());

  json bad_dtype = idl;
  bad_dtype["tasks"][0]["result"]["dtype"] = "float16";
  EXPECT_FALSE(SchemaErrors(schema, bad_dtype).empty());
}

// An Eigen::Matrix ("eigen") is a value anywhere; an Eigen::Ref or Eigen::Map borrows for
// one call: a parameter's own type only. Each says which M it is.
TEST(Schema, EigenFormsOwnOrBorrowAsTheOtherArrays) {
  json schema = Schema();
  json idl = json::parse(ReadFile(GoldenPath("arrays")));
  ASSERT_EQ(idl["tasks"][0]["name"], "Scale");
  const char* matrix = "Eigen::Matrix<double, -1, -1, 0, -1, -1>";
  const json shape = {{"class", "matrix"}, {"rows", -1}, {"cols", -1}, {"row_major", false},
                      {"spelling", matrix}};
  const json owning = {{"spelling", matrix},           {"canonical", "Eigen::Matrix<double, -1, -1>"},
                       {"kind", "ndarray"},            {"form", "eigen"},
                       {"element", "double"},          {"dtype", "float64"},
                       {"eigen", shape}};
  json ref = owning;
  ref["form"] = "eigen_ref";
  ref["spelling"] = std::string("Eigen::Ref<const ") + matrix + ", 0, Eigen::OuterStride<-1>>";

  json uses = idl;
  uses["tasks"][0]["params"][0]["type"] = ref;
  uses["tasks"][0]["result"] = owning;
  uses["structs"][0]["fields"][0]["type"] = owning;
  EXPECT_TRUE(SchemaErrors(schema, uses).empty()) << Join(SchemaErrors(schema, uses));

  json ref_result = idl;
  ref_result["tasks"][0]["result"] = ref;
  EXPECT_FALSE(SchemaErrors(schema, ref_result).empty()) << "an Eigen::Ref result";
  json map_field = idl;
  map_field["structs"][0]["fields"][0]["type"] = ref;
  map_field["structs"][0]["fields"][0]["type"]["form"] = "eigen_map";
  EXPECT_FALSE(SchemaErrors(schema, map_field).empty()) << "an Eigen::Map field";
  json no_shape = idl;
  no_shape["tasks"][0]["result"] = owning;
  no_shape["tasks"][0]["result"].erase("eigen");
  EXPECT_FALSE(SchemaErrors(schema, no_shape).empty()) << "an Eigen form without its M";
  json shape_on_array = idl;
  shape_on_array["tasks"][0]["result"]["eigen"] = shape;
  EXPECT_FALSE(SchemaErrors(schema, shape_on_array).empty()) << "goray::Array has no M";
  json bad_class = uses;
  bad_class["tasks"][0]["result"]["eigen"]["class"] = "tensor";
  EXPECT_FALSE(SchemaErrors(schema, bad_class).empty());
}

// A ref's value is a result type or null; a typed handle names a qualified class.
TEST(Schema, RefsAndHandles) {
  json schema = Schema();
  json idl = json::parse(ReadFile(GoldenPath("refs")));
  ASSERT_TRUE(SchemaErrors(schema, idl).empty());
  json bump;
  for (const json& task : idl["tasks"]) {
    if (task["name"] == "Bump") bump = task;
  }
  ASSERT_FALSE(bump.is_null());
  const json& handle = bump["params"][0]["type"];
  ASSERT_EQ(handle["kind"], "actor_handle");
  ASSERT_EQ(handle["class"], "::jobs::Counter");

  json unqualified = idl;
  for (json& task : unqualified["tasks"]) {
    if (task["name"] == "Bump") task["params"][0]["type"]["class"] = "jobs::Counter";
  }
  EXPECT_FALSE(SchemaErrors(schema, unqualified).empty());

  json no_actor_key = idl;
  for (json& task : no_actor_key["tasks"]) {
    if (task["name"] == "Bump") task["params"][0]["type"].erase("actor");
  }
  EXPECT_FALSE(SchemaErrors(schema, no_actor_key).empty());

  json ref_of_view = idl;
  for (json& task : ref_of_view["tasks"]) {
    if (task["name"] == "Forward") {
      task["params"][0]["type"]["value"] = {{"spelling", "goray::ArrayView<double>"},
                                            {"canonical", "goray::ArrayView<double>"},
                                            {"kind", "ndarray"},
                                            {"form", "view"},
                                            {"element", "double"},
                                            {"dtype", "float64"}};
    }
  }
  EXPECT_FALSE(SchemaErrors(schema, ref_of_view).empty());
}

// A generator is a task's or method's result only; every actor type says whether it is
// thread-safe and lists its groups; a method's group is optional.
TEST(Schema, GeneratorsAreResultsOnlyAndActorsCarryTheirConcurrency) {
  json schema = Schema();
  json idl = json::parse(ReadFile(GoldenPath("concurrency")));
  ASSERT_TRUE(SchemaErrors(schema, idl).empty());
  json generator;
  for (const json& task : idl["tasks"]) {
    if (task["name"] == "CountUp") generator = task["result"];
  }
  ASSERT_EQ(generator["kind"], "generator");

  json parameter = idl;
  parameter["tasks"][0]["params"][0]["type"] = generator;
  EXPECT_FALSE(SchemaErrors(schema, parameter).empty());

  json element = idl;
  element["structs"][0]["fields"][0]["type"] = generator;
  EXPECT_FALSE(SchemaErrors(schema, element).empty());

  json nested = idl;
  for (json& task : nested["tasks"]) {
    if (task["name"] == "CountUp") task["result"]["element"] = generator;
  }
  EXPECT_FALSE(SchemaErrors(schema, nested).empty());

  json no_thread_safe = idl;
  no_thread_safe["actors"][0].erase("thread_safe");
  EXPECT_FALSE(SchemaErrors(schema, no_thread_safe).empty());

  json no_groups = idl;
  no_groups["actors"][0].erase("concurrency_groups");
  EXPECT_FALSE(SchemaErrors(schema, no_groups).empty());

  json empty_group = idl;
  empty_group["actors"][0]["concurrency_groups"][0]["size"] = 0;
  EXPECT_FALSE(SchemaErrors(schema, empty_group).empty());

  json ungrouped = idl;
  for (json& method : ungrouped["actors"][0]["methods"]) method.erase("concurrency_group");
  EXPECT_TRUE(SchemaErrors(schema, ungrouped).empty());
}

}  // namespace
}  // namespace goray::scan::testing
