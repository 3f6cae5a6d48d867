// Ray actor options declared with an actor type (ActorTypeBuilder::Options, what
// goray-gen registers for GORAY_ACTOR_OPTIONS): DescribeApplication answers them
// (docs/protocol.md §13), and only a JSON object is taken.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "abi_call.h"
#include "goray/goray.h"
#include "test_application.h"

namespace {

struct Ledger {
  int64_t total = 0;
  int64_t Add(int64_t amount) { return total += amount; }
};

}  // namespace

GORAY_TEST_APPLICATION(registry) {
  registry.AddActor<Ledger>("Ledger", [] { return Ledger{}; })
      .Options(R"({"max_restarts": 3, "resources": {"db": 1}})")
      .AddMethod("Add", &Ledger::Add);
  registry.AddActor<Ledger>("Plain", [] { return Ledger{}; }).AddMethod("Add", &Ledger::Add);
  // An empty object declares nothing.
  registry.AddActor<Ledger>("Empty", [] { return Ledger{}; }).Options("{}");
}

namespace {

TEST(ActorOptions, DescribeApplicationAnswersThemWhereDeclared) {
  abi_call::Result described = abi_call::Call(38, "");
  ASSERT_EQ(described.code, 0) << described.body;
  nlohmann::json actors = nlohmann::json::parse(described.body).at("actors");
  EXPECT_EQ(actors.at("Ledger").at("options"),
            nlohmann::json::parse(R"({"max_restarts": 3, "resources": {"db": 1}})"));
  EXPECT_FALSE(actors.at("Plain").contains("options")) << actors.dump();
  EXPECT_FALSE(actors.at("Empty").contains("options")) << actors.dump();
}

TEST(ActorOptions, OnlyAJsonObjectIsTaken) {
  goray::Registry registry;
  auto builder = registry.AddActor<Ledger>("Ledger", [] { return Ledger{}; });
  for (const char* bad : {"[1]", "3", "{\"max_restarts\": ", ""}) {
    try {
      builder.Options(bad);
      ADD_FAILURE() << "took " << bad;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("actor type Ledger: options must be a JSON "
                                               "object"),
                std::string::npos)
          << error.what();
    }
  }
}

}  // namespace
