// GORAY_ACTOR_OPTIONS on the IDL: an actor type's "options", its class's and, for a
// factory, the factory's own over them; absent without a marker; the warning for a
// marked class no actor type builds. (Broken markers: diagnostics_test.cpp.)
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

using nlohmann::json;

const json& Actor(const ScanResult& result, const std::string& name) {
  for (const json& actor : result.idl.at("actors")) {
    if (actor.at("name") == name) return actor;
  }
  throw std::runtime_error("no actor type " + name);
}

TEST(ActorOptions, TheClassesAndTheFactorysOwnOverThem) {
  ScanResult result = ScanCases({"actor_options/actor_options.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(Actor(result, "Ledger")["options"],
            json::parse(R"({"max_restarts": 3, "num_cpus": 0.5})"));
  EXPECT_EQ(Actor(result, "Primary")["options"],
            json::parse(R"({"max_restarts": -1, "max_task_retries": 2,
                            "resources": {"replica": 1}})"))
      << "the factory's max_restarts over its class's, the class's resources kept";
  EXPECT_EQ(Actor(result, "Secondary")["options"],
            json::parse(R"({"max_restarts": 1, "resources": {"replica": 1}})"));
  EXPECT_EQ(Actor(result, "Lookup")["options"], json::parse(R"({"max_concurrency": 4})"));
  EXPECT_FALSE(Actor(result, "Plain").contains("options")) << "only when declared";
}

TEST(ActorOptions, AMarkedClassNoActorTypeBuildsIsAWarning) {
  ScanResult result = ScanInputs({"rules/actor_options_not_actor.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  ASSERT_EQ(result.diagnostics.size(), 1u) << Describe(result);
  const Diagnostic& warning = result.diagnostics[0];
  EXPECT_EQ(warning.severity, "warning");
  EXPECT_EQ(warning.line, 3u);
  EXPECT_EQ(warning.message.rfind("class 'Helper' is marked GORAY_ACTOR_OPTIONS, but no actor "
                                  "type builds it, so that does nothing", 0),
            0u)
      << warning.message;
}

}  // namespace
}  // namespace goray::scan::testing
