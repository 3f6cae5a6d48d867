// The concurrency markers and goray::Generator on the IDL (version 4): an actor type's
// thread_safe and concurrency_groups, a method's concurrency_group, the generator kind;
// the warnings and errors known only once every file is scanned.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

using nlohmann::json;

const json& Named(const json& entries, const std::string& name) {
  for (const json& entry : entries) {
    if (entry.at("name") == name) return entry;
  }
  throw std::runtime_error("nothing named " + name);
}

std::vector<const Diagnostic*> Severe(const ScanResult& result, const std::string& severity) {
  std::vector<const Diagnostic*> found;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.severity == severity) found.push_back(&diagnostic);
  }
  return found;
}

TEST(Concurrency, ThreadSafeActorGroupsAndGroupedMethods) {
  ScanResult result = ScanCases({"concurrency/concurrency.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["idl_version"], kIdlVersion);
  const json& fetcher = Named(result.idl["actors"], "Fetcher");
  EXPECT_EQ(fetcher["thread_safe"], true);
  EXPECT_EQ(fetcher["concurrency_groups"],
            json::parse(R"([{"name": "io", "size": 2}, {"name": "compute", "size": 1}])"))
      << "declaration order";
  const json& methods = fetcher["methods"];
  EXPECT_EQ(Named(methods, "Fetch")["concurrency_group"], "io");
  EXPECT_EQ(Named(methods, "Score")["concurrency_group"], "compute");
  EXPECT_EQ(Named(methods, "Lines")["concurrency_group"], "io");
  EXPECT_FALSE(Named(methods, "Items").contains("concurrency_group")) << "only when set";
  EXPECT_FALSE(Named(methods, "Fetched").contains("concurrency_group"));
  // A public base's GORAY_IN_GROUP counts in the actor's class's groups.
  EXPECT_EQ(Named(methods, "Page")["declaring_class"], "::feeds::Source");
  EXPECT_EQ(Named(methods, "Page")["concurrency_group"], "io");

  const json& pool = Named(result.idl["actors"], "Pool");  // a factory's class
  EXPECT_EQ(pool["construction"]["kind"], "factory");
  EXPECT_EQ(pool["thread_safe"], true);
  EXPECT_EQ(pool["concurrency_groups"], json::array());
  const json& tally = Named(result.idl["actors"], "Tally");
  EXPECT_EQ(tally["thread_safe"], false);
  EXPECT_EQ(tally["concurrency_groups"], json::array());
}

TEST(Concurrency, EveryActorTypeSaysWhetherItIsThreadSafe) {
  ScanResult result = ScanCases({"actors/actors.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  ASSERT_FALSE(result.idl["actors"].empty());
  for (const json& actor : result.idl["actors"]) {
    EXPECT_EQ(actor["thread_safe"], false) << actor["name"];
    EXPECT_EQ(actor["concurrency_groups"], json::array()) << actor["name"];
    for (const json& method : actor["methods"]) EXPECT_FALSE(method.contains("concurrency_group"));
  }
}

TEST(Generators, TasksAndMethodsStreamValues) {
  ScanResult result = ScanCases({"concurrency/concurrency.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& count_up = Named(result.idl["tasks"], "CountUp")["result"];
  EXPECT_EQ(count_up, json::parse(R"({
      "spelling": "goray::Generator<int64_t>", "canonical": "goray::Generator<long>",
      "kind": "generator",
      "element": {"spelling": "int64_t", "canonical": "long", "kind": "int", "bits": 64,
                  "signed": true}})"));
  const json& methods = Named(result.idl["actors"], "Fetcher")["methods"];
  const json& lines = Named(methods, "Lines")["result"];
  EXPECT_EQ(lines["spelling"], "goray::Generator<std::string>");
  EXPECT_EQ(lines["element"]["kind"], "string");
  const json& items = Named(methods, "Items")["result"];
  EXPECT_EQ(items["kind"], "generator");
  EXPECT_EQ(items["element"]["kind"], "struct");
  EXPECT_EQ(items["element"]["ref"], "::feeds::Item");
  // The item's struct is recorded like any a signature reaches.
  EXPECT_EQ(Named(result.idl["structs"], "::feeds::Item")["fields"].size(), 2u);
  EXPECT_EQ(Named(result.idl["tasks"], "Square")["result"]["kind"], "int");
}

TEST(Generators, AliasesAndConstAreSpelledThrough) {
  ScanResult result = ScanInputs({"rules/generator_alias.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(Named(result.idl["tasks"], "Upto")["result"]["spelling"], "goray::Generator<int64_t>");
  EXPECT_EQ(Named(result.idl["tasks"], "Halves")["result"]["spelling"],
            "goray::Generator<double>");
}

// A class declared twice with its markers and methods defined out of line in another
// file: one group, each method once, no warning (a factory in a third file builds it).
TEST(Concurrency, RedeclarationsAndOutOfLineDefinitionsAreOneMarker) {
  ScanResult result = ScanInputs({"rules/concurrency_dir"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_TRUE(result.diagnostics.empty()) << Describe(result);
  const json& pool = Named(result.idl["actors"], "Pool");
  EXPECT_EQ(pool["thread_safe"], true);
  EXPECT_EQ(pool["concurrency_groups"], json::parse(R"([{"name": "batch", "size": 3}])"));
  EXPECT_EQ(Named(pool["methods"], "Run")["concurrency_group"], "batch");
  EXPECT_FALSE(Named(pool["methods"], "Done").contains("concurrency_group"));
}

// GORAY_THREADSAFE and GORAY_CONCURRENCY_GROUP on a class no actor type builds do nothing:
// a warning each (the scan succeeds); a factory's class is an actor's class.
TEST(Concurrency, MarkedClassesNoActorTypeBuildsAreWarnings) {
  ScanResult result = ScanInputs({"rules/threadsafe_not_actor.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  std::vector<const Diagnostic*> warnings = Severe(result, "warning");
  ASSERT_EQ(warnings.size(), 2u) << Describe(result);
  EXPECT_EQ(warnings[0]->line, 3u);
  EXPECT_EQ(warnings[0]->column, 57u);
  EXPECT_EQ(warnings[0]->message.rfind("class 'Helper' is marked GORAY_THREADSAFE and "
                                       "GORAY_CONCURRENCY_GROUP, but no actor type builds it",
                                       0),
            0u)
      << warnings[0]->message;
  EXPECT_NE(warnings[0]->message.find("mark the class GORAY_ACTOR or return it from a "
                                      "GORAY_ACTORS factory"),
            std::string::npos);
  EXPECT_EQ(warnings[1]->line, 7u);
  EXPECT_EQ(warnings[1]->message.rfind("class 'Tasks' is marked GORAY_THREADSAFE, but", 0), 0u)
      << warnings[1]->message;
  EXPECT_TRUE(Named(result.idl["actors"], "Make")["thread_safe"]);
  EXPECT_NE(result.rendered_diagnostics.find("threadsafe_not_actor.h:3:57: warning: "),
            std::string::npos)
      << result.rendered_diagnostics;
  EXPECT_NE(result.rendered_diagnostics.find("\n2 warnings generated.\n"), std::string::npos)
      << result.rendered_diagnostics;
}

// Every GORAY_IN_GROUP that no actor type uses is an error, in source order.
TEST(Concurrency, EveryInGroupOutsideAnActorIsAnError) {
  ScanResult result = ScanInputs({"errors/in_group_not_actor_dir"});
  EXPECT_FALSE(result.ok);
  std::vector<const Diagnostic*> errors = Severe(result, "error");
  ASSERT_EQ(errors.size(), 2u) << Describe(result);
  EXPECT_EQ(errors[0]->file, "helper.h");
  EXPECT_EQ(errors[1]->file, "tasks.cpp");
  EXPECT_NE(errors[1]->message.find("'Tasks::Twice'"), std::string::npos) << errors[1]->message;
  EXPECT_NE(result.rendered_diagnostics.find("\n2 errors generated.\n"), std::string::npos)
      << result.rendered_diagnostics;
}

// A broken marker is read both where the class is declared and where its actor type is
// registered: reported once.
TEST(Concurrency, ABrokenMarkerIsReportedOnce) {
  for (const char* input : {"errors/group_not_threadsafe.h", "errors/group_size_zero.h",
                            "errors/group_twice.h"}) {
    ScanResult result = ScanInputs({input});
    EXPECT_FALSE(result.ok) << input;
    EXPECT_EQ(Severe(result, "error").size(), 1u) << input << "\n" << Describe(result);
    EXPECT_NE(result.rendered_diagnostics.find("\n1 error generated.\n"), std::string::npos)
        << result.rendered_diagnostics;
  }
}

}  // namespace
}  // namespace goray::scan::testing
