// The scanner rules, checked on the IDL: what becomes a task, an actor type, a method,
// a field, a doc; inputs, roots, compilation databases and extra arguments.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

using nlohmann::json;

std::vector<std::string> Names(const json& entries) {
  std::vector<std::string> names;
  for (const json& entry : entries) names.push_back(entry.at("name"));
  return names;
}

const json& Named(const json& entries, const std::string& name) {
  for (const json& entry : entries) {
    if (entry.at("name") == name) return entry;
  }
  throw std::runtime_error("nothing named " + name);
}

ScanResult ScanApp() {
  ScanOptions options;
  options.goray_include = StubInclude();
  options.extra_args = {"-I" + RuntimeInclude()};
  return ScanCases({"app/app.cpp"}, options);
}

TEST(AppExample, HasTheDesignsTasksActorDriverAndOptions) {
  ScanResult result = ScanApp();
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& idl = result.idl;
  EXPECT_EQ(idl["idl_version"], kIdlVersion);
  EXPECT_EQ(idl["generator"], json({{"name", "goray-scan"}, {"version", "0.1.0"}}));
  EXPECT_EQ(idl["sources"], json({"app.cpp"}));
  EXPECT_EQ(Names(idl["tasks"]), (std::vector<std::string>{"Square", "Divide"}));

  const json& square = Named(idl["tasks"], "Square");
  EXPECT_EQ(square["owner"], "::Tasks");
  EXPECT_EQ(square["static"], false);
  EXPECT_EQ(square["params"][0]["name"], "x");
  EXPECT_EQ(square["params"][0]["type"]["kind"], "float");
  EXPECT_EQ(square["result"]["spelling"], "double");

  const json& divide = Named(idl["tasks"], "Divide");
  EXPECT_EQ(divide["result"]["kind"], "tuple");
  EXPECT_EQ(divide["result"]["spelling"], "std::tuple<int64_t, int64_t>");
  EXPECT_EQ(divide["result"]["elements"].size(), 2u);
  EXPECT_EQ(divide["params"][1]["type"],
            json({{"spelling", "int64_t"}, {"canonical", "long"}, {"kind", "int"},
                  {"bits", 64}, {"signed", true}}));

  const json& counter = Named(idl["actors"], "Counter");
  EXPECT_EQ(counter["class"], "::Counter");
  EXPECT_EQ(counter["construction"],
            json({{"kind", "factory"}, {"owner", "::Actors"}, {"function", "Counter"},
                  {"static", true}, {"returns", "unique_ptr"}}));
  EXPECT_EQ(Names(counter["params"]), (std::vector<std::string>{"n"}));
  EXPECT_EQ(Names(counter["methods"]), (std::vector<std::string>{"Incr"}));
  EXPECT_EQ(counter["methods"][0]["declaring_class"], "::Counter");

  EXPECT_EQ(idl["driver"]["name"], "::Driver");
  EXPECT_EQ(idl["driver"]["takes_args"], false);
  EXPECT_EQ(idl["init_options"]["text"], R"({"num_cpus": 2})");
  EXPECT_EQ(idl["init_options"]["value"], json({{"num_cpus", 2}}));
  EXPECT_EQ(idl["structs"], json::array());
  EXPECT_EQ(idl["enums"], json::array());
}

TEST(AppExample, ScanIsDeterministic) {
  ScanResult first = ScanApp();
  ScanResult second = ScanApp();
  ASSERT_TRUE(first.ok && second.ok);
  EXPECT_EQ(FormatIdl(first.idl), FormatIdl(second.idl));
  EXPECT_EQ(FormatIdl(first.idl).find(GORAY_TEST_DIR), std::string::npos)
      << "the IDL holds an absolute path";
}

TEST(Tasks, PublicMemberFunctionsOnlyNoOperators) {
  ScanResult result = ScanCases({"types/types.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  std::vector<std::string> names = Names(result.idl["tasks"]);
  EXPECT_EQ(std::count(names.begin(), names.end(), "Hidden"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "operator="), 0);
  EXPECT_EQ(Named(result.idl["tasks"], "Static")["static"], true);
  EXPECT_EQ(Names(Named(result.idl["tasks"], "Unnamed")["params"]),
            (std::vector<std::string>{"arg0", "arg1"}));
}

// The warnings of a scan, as "line: message".
std::vector<std::string> Warnings(const ScanResult& result) {
  std::vector<std::string> warnings;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.severity == "warning") {
      warnings.push_back(std::to_string(diagnostic.line) + ": " + diagnostic.message);
    }
  }
  return warnings;
}

TEST(Tasks, PublicBasesTasksAreInheritedAndNamesAreHidden) {
  ScanResult result = ScanCases({"inherited/skipped.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  EXPECT_EQ(Names(tasks),
            (std::vector<std::string>{"Inherited", "StaticInherited", "Static", "Hidden"}));
  EXPECT_EQ(Named(tasks, "Inherited")["owner"], "::Tasks");
  EXPECT_EQ(Named(tasks, "Inherited")["declaring_class"], "::Helpers");
  EXPECT_EQ(Named(tasks, "StaticInherited")["static"], true);
  EXPECT_FALSE(Named(tasks, "Hidden").contains("declaring_class"));  // Tasks's own
  EXPECT_EQ(Named(tasks, "Hidden")["location"]["line"], 21);
  EXPECT_FALSE(Named(tasks, "Static").contains("declaring_class"));
}

TEST(Tasks, AVirtualBaseReachedTwiceIsOneSubobject) {
  ScanResult result = ScanInputs({"rules/virtual_diamond.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(Names(result.idl["tasks"]), (std::vector<std::string>{"Count", "Total"}));
  EXPECT_EQ(Named(result.idl["tasks"], "Count")["declaring_class"], "::Counter");
  EXPECT_EQ(Named(result.idl["tasks"], "Total")["static"], true);
  const json& methods = Named(result.idl["actors"], "Both")["methods"];
  EXPECT_EQ(Names(methods), (std::vector<std::string>{"Count"}));
}

TEST(Rules, EverySkippedMemberIsAWarningSayingWhy) {
  ScanResult result = ScanCases({"inherited/skipped.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  std::vector<std::string> warnings = Warnings(result);
  std::vector<std::string> expected = {
      "22: 'operator==' of GORAY_TASKS struct 'Tasks' is not a task (operators and "
      "conversions are not exported)",
      "25: private member function 'Helper' of GORAY_TASKS struct 'Tasks' is not a task "
      "(only public member functions are); make it public to export it",
      "19: 'Private' is a private base of GORAY_TASKS struct 'Tasks', so its member "
      "functions are not tasks; inherit it publicly to export them",
      "41: protected member function 'Spare' of GORAY_ACTORS struct 'Actors' is not an "
      "actor type",
      "31: static member function 'Make' of the class 'Store' of actor type 'Store' is not "
      "a method (goray calls methods on an actor instance)"};
  ASSERT_EQ(warnings.size(), expected.size()) << Describe(result);
  for (const std::string& part : expected) {
    EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) {
      return w.find(part) == 0;
    })) << "no warning '" << part << "' in:\n" << Describe(result);
  }
  EXPECT_NE(result.rendered_diagnostics.find("skipped.h:25:11: warning: "), std::string::npos)
      << result.rendered_diagnostics;
  EXPECT_NE(result.rendered_diagnostics.find("5 warnings generated."), std::string::npos);
}

TEST(Types, UserAliasesAreSpelledThroughEvenInACppFile) {
  ScanResult result = ScanCases({"alias/app.cpp"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  EXPECT_EQ(Named(tasks, "Split")["result"]["spelling"], "std::vector<std::string>");
  EXPECT_EQ(Named(tasks, "Count")["params"][0]["declared"], "const std::vector<std::string>&");
  EXPECT_EQ(Named(tasks, "Count")["result"]["spelling"], "int64_t");
  EXPECT_EQ(Named(tasks, "All")["result"]["spelling"], "std::vector<::text::Stats>");
  EXPECT_EQ(Named(tasks, "All")["result"]["element"]["ref"], "::text::Stats");
  EXPECT_EQ(result.idl["structs"][0]["fields"][0]["type"]["spelling"], "int64_t");
  EXPECT_EQ(FormatIdl(result.idl).find("Words"), std::string::npos);
  EXPECT_EQ(FormatIdl(result.idl).find("text::Count"), std::string::npos);
}

TEST(Types, ParametersRecordDeclaredSpellingAndValueType) {
  ScanResult result = ScanCases({"types/types.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  const json& str = Named(tasks, "Str")["params"][0];
  EXPECT_EQ(str["declared"], "const std::string&");
  EXPECT_EQ(str["passing"], "const_reference");
  EXPECT_EQ(str["type"]["spelling"], "std::string");
  EXPECT_EQ(str["type"]["kind"], "string");
  const json& many = Named(tasks, "Many")["params"][0];
  EXPECT_EQ(many["passing"], "rvalue_reference");
  // A user alias (geo::Points) is spelled through: generated code may not see it.
  EXPECT_EQ(many["type"]["spelling"], "std::vector<::geo::Point>");
  EXPECT_EQ(many["declared"], "std::vector<::geo::Point>&&");
  EXPECT_EQ(many["type"]["kind"], "vector");
  EXPECT_EQ(many["type"]["element"]["ref"], "::geo::Point");
}

TEST(Types, ConstantDefaultsAreRecordedOthersOnlyFlagged) {
  ScanResult result = ScanCases({"defaults/defaults.cpp"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  const json& line = Named(tasks, "Line")["params"];
  EXPECT_FALSE(line[0].contains("has_default"));
  EXPECT_EQ(line[1]["default"], 3);      // kStep + 1, a file-local constexpr
  EXPECT_EQ(line[2]["default"], 1.5);
  EXPECT_EQ(line[3]["default"], false);
  EXPECT_EQ(line[4]["default"], "!");    // a const std::string& from a literal
  const json& pad = Named(tasks, "Pad")["params"];
  EXPECT_EQ(pad[1]["has_default"], true);  // Scale::Factor(): not a constant
  EXPECT_FALSE(pad[1].contains("default"));
  EXPECT_EQ(pad[2]["default"], 4);
  EXPECT_FALSE(Named(tasks, "Fill")["params"][1].contains("default"));  // {1, 2}
}

TEST(Types, EveryKindOfTheMapping) {
  ScanResult result = ScanCases({"types/types.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  auto result_of = [&](const std::string& task) { return Named(tasks, task)["result"]; };
  EXPECT_EQ(result_of("Flag")["kind"], "bool");
  EXPECT_EQ(result_of("I8")["bits"], 8);
  EXPECT_EQ(result_of("U8")["signed"], false);
  EXPECT_EQ(result_of("U64")["bits"], 64);
  EXPECT_EQ(result_of("F32")["bits"], 32);
  EXPECT_EQ(result_of("Bytes")["kind"], "bytes");
  EXPECT_EQ(result_of("RawBytes")["kind"], "bytes");
  EXPECT_EQ(result_of("Vec")["canonical"], "std::vector<int>");
  EXPECT_EQ(result_of("Vec")["spelling"], "std::vector<int32_t>");
  EXPECT_EQ(result_of("Arr")["size"], 3);
  EXPECT_EQ(result_of("List")["kind"], "list");
  EXPECT_EQ(result_of("Set")["kind"], "set");
  EXPECT_EQ(result_of("Deque")["kind"], "deque");
  EXPECT_EQ(result_of("Deque")["spelling"], "std::deque<std::string>");
  EXPECT_EQ(result_of("Deque")["element"]["kind"], "string");
  EXPECT_EQ(result_of("USet")["kind"], "unordered_set");
  EXPECT_EQ(result_of("USet")["spelling"], "std::unordered_set<int64_t>");
  EXPECT_EQ(Named(tasks, "USet")["params"][0]["declared"], "const std::unordered_set<int64_t>&");
  EXPECT_EQ(result_of("Pair")["elements"].size(), 2u);
  EXPECT_EQ(result_of("Map")["key"]["kind"], "string");
  EXPECT_EQ(result_of("Map")["value"]["kind"], "vector");
  EXPECT_EQ(result_of("UMap")["kind"], "unordered_map");
  EXPECT_EQ(result_of("Opt")["element"]["kind"], "string");
  EXPECT_EQ(result_of("When")["kind"], "time_point");
  EXPECT_EQ(result_of("When")["spelling"], "std::chrono::system_clock::time_point");
  EXPECT_EQ(result_of("Any")["kind"], "value");
  EXPECT_EQ(result_of("Complex")["kind"], "complex");
  EXPECT_EQ(result_of("Path")["kind"], "path");
  EXPECT_EQ(result_of("Duration")["spelling"], "std::chrono::milliseconds");
  EXPECT_EQ(result_of("View")["kind"], "string_view");
  EXPECT_EQ(result_of("Variant")["alternatives"].size(), 4u);
  EXPECT_EQ(result_of("Read")["ref"], "::geo::Reading");
  EXPECT_EQ(result_of("Paint")["ref"], "::geo::Color");
  EXPECT_EQ(result_of("Move")["ref"], "::geo::Shape");
  EXPECT_EQ(result_of("Next")["spelling"], "int64_t");  // the user's alias geo::Id
  EXPECT_EQ(result_of("Next")["kind"], "int");
  EXPECT_EQ(result_of("Several")["kind"], "tuple");
  EXPECT_EQ(result_of("Ref")["spelling"], "std::string");
  EXPECT_EQ(result_of("Nothing")["kind"], "void");
}

// Complex numbers, paths, durations, string views and variants (docs/idl.md): their kinds,
// spelled as the source spelled them, in tasks, an actor type and struct fields.
TEST(Types, TheValueTypesLibrariesUse) {
  ScanResult result = ScanInputs({"rules/value_exts.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  auto result_of = [&](const std::string& task) { return Named(tasks, task)["result"]; };
  auto param_of = [&](const std::string& task, std::size_t i) {
    return Named(tasks, task)["params"][i];
  };
  EXPECT_EQ(result_of("Conj"), json({{"spelling", "std::complex<float>"},
                                     {"canonical", "std::complex<float>"},
                                     {"kind", "complex"},
                                     {"bits", 32}}));
  EXPECT_EQ(result_of("Scale")["bits"], 64);
  EXPECT_EQ(param_of("Scale", 0)["declared"], "const std::complex<double>&");
  EXPECT_EQ(result_of("Parent")["kind"], "path");
  EXPECT_EQ(result_of("Parent")["spelling"], "std::filesystem::path");
  EXPECT_EQ(result_of("Twice")["kind"], "duration");
  EXPECT_EQ(result_of("Twice")["spelling"], "std::chrono::nanoseconds");
  EXPECT_EQ(param_of("Whole", 0)["type"]["spelling"],
            "std::chrono::duration<int64_t, std::ratio<2, 4>>");  // not reduced to 1/2
  EXPECT_EQ(result_of("Ticks")["spelling"], "std::chrono::duration<int32_t, std::ratio<1, 60>>");
  EXPECT_EQ(param_of("Length", 0)["type"]["kind"], "string_view");
  EXPECT_EQ(param_of("Length", 0)["declared"], "std::string_view");
  EXPECT_EQ(param_of("Length", 1)["declared"], "const std::string_view&");
  EXPECT_EQ(param_of("Length", 1)["default"], "ab");
  EXPECT_EQ(result_of("Name")["kind"], "string_view");

  const json pick = param_of("Pick", 0)["type"];
  EXPECT_EQ(pick["kind"], "variant");
  std::vector<std::string> kinds;
  for (const json& alternative : pick["alternatives"]) kinds.push_back(alternative["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"monostate", "bool", "int", "float", "complex",
                                             "string", "bytes", "path", "duration", "vector",
                                             "struct"}));
  EXPECT_EQ(pick["alternatives"][0]["spelling"], "std::monostate");
  EXPECT_EQ(result_of("Pick")["spelling"], "std::variant<int64_t, double, std::string>");
  EXPECT_EQ(result_of("Units")["alternatives"][0]["ref"], "::exts::Unit");
  EXPECT_EQ(result_of("Maybe")["element"]["alternatives"][1]["kind"], "string");
  EXPECT_EQ(param_of("Maybe", 0)["type"]["value"]["kind"], "complex");

  const json& clock = Named(result.idl["actors"], "Clock");
  EXPECT_EQ(clock["params"][0]["type"]["spelling"], "std::chrono::milliseconds");
  EXPECT_EQ(clock["params"][1]["type"]["kind"], "path");
  EXPECT_EQ(Named(clock["methods"], "Advance")["params"][0]["type"]["alternatives"][1]["kind"],
            "duration");
  EXPECT_EQ(Named(clock["methods"], "Log")["result"]["kind"], "string_view");

  const json& sample = Named(result.idl["structs"], "::exts::Sample");
  std::vector<std::string> field_kinds;
  for (const json& field : sample["fields"]) field_kinds.push_back(field["type"]["kind"]);
  EXPECT_EQ(field_kinds, (std::vector<std::string>{"complex", "path", "duration", "variant"}));
  EXPECT_EQ(sample["fields"][2]["type"]["spelling"], "std::chrono::milliseconds");
}

TEST(Structs, PublicFieldsBasesFirstNestedRecursiveAndEnums) {
  ScanResult result = ScanCases({"types/types.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& structs = result.idl["structs"];
  EXPECT_EQ(Names(structs),
            (std::vector<std::string>{"::geo::Point", "::geo::Reading", "::geo::Shape",
                                      "::geo::Shape::Meta", "::geo::Tree"}));
  const json& shape = Named(structs, "::geo::Shape");
  EXPECT_EQ(Names(shape["fields"]),
            (std::vector<std::string>{"label", "points", "color", "meta"}));
  EXPECT_EQ(shape["fields"][0]["declaring_class"], "::geo::Base");
  EXPECT_EQ(shape["doc"], "A shape: a polygon with a colour.\nPoints are in order.");
  const json& tree = Named(structs, "::geo::Tree");
  EXPECT_EQ(tree["fields"][1]["type"]["element"]["ref"], "::geo::Tree");

  const json& color = Named(result.idl["enums"], "::geo::Color");
  EXPECT_EQ(color["scoped"], true);
  EXPECT_EQ(color["underlying"]["spelling"], "uint8_t");
  EXPECT_EQ(color["enumerators"][2], json({{"name", "kBlue"}, {"value", 255}, {"doc", ""}}));
  EXPECT_EQ(color["enumerators"][0]["doc"], "red");
  EXPECT_EQ(Named(result.idl["enums"], "::geo::Plain")["scoped"], false);
}

TEST(Actors, FactoriesConstructorsAndInheritedMethods) {
  ScanResult result = ScanCases({"actors/actors.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& actors = result.idl["actors"];
  EXPECT_EQ(Names(actors),
            (std::vector<std::string>{"Accumulator", "Pinger", "Dog", "Cat", "Tally"}));

  const json& dog = Named(actors, "Dog");
  EXPECT_EQ(dog["construction"]["returns"], "unique_ptr");
  EXPECT_EQ(dog["construction"]["static"], true);
  EXPECT_EQ(dog["class"], "::zoo::Animal");
  EXPECT_EQ(dog["doc"], "A dog.");
  EXPECT_EQ(Names(dog["methods"]), (std::vector<std::string>{"Speak", "Rename", "Name"}));
  EXPECT_EQ(Named(dog["methods"], "Rename")["declaring_class"], "::zoo::Animal");
  EXPECT_EQ(Named(dog["methods"], "Name")["declaring_class"], "::zoo::Named");
  EXPECT_EQ(Named(dog["methods"], "Speak")["const"], true);
  EXPECT_EQ(Named(dog["methods"], "Speak")["doc"], "Speaks once.");

  const json& cat = Named(actors, "Cat");
  EXPECT_EQ(cat["construction"]["returns"], "value");
  EXPECT_EQ(cat["construction"]["static"], false);
  EXPECT_EQ(cat["doc"], "An animal that speaks.") << "falls back to the class's doc";

  const json& tally = Named(actors, "Tally");
  EXPECT_EQ(tally["construction"]["returns"], "raw_pointer");
  EXPECT_EQ(Names(tally["methods"]), (std::vector<std::string>{"Count"}))
      << "a private base's methods are not the actor's";

  const json& accumulator = Named(actors, "Accumulator");
  EXPECT_EQ(accumulator["construction"], json({{"kind", "constructor"}}));
  EXPECT_EQ(Names(accumulator["params"]), (std::vector<std::string>{"start", "name"}));
  EXPECT_EQ(accumulator["doc"], "Sums numbers.");
  EXPECT_EQ(Named(actors, "Pinger")["params"], json::array())
      << "the implicit default constructor";
}

TEST(Driver, TakesArgsAndKeepsTheDefinitionsLocationAndDeclarationsDoc) {
  ScanResult result = ScanCases({"driver/driver.cpp"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& driver = result.idl["driver"];
  EXPECT_EQ(driver["name"], "::app::Main");
  EXPECT_EQ(driver["takes_args"], true);
  EXPECT_EQ(driver["doc"], "Runs the application.");
  EXPECT_EQ(driver["location"]["line"], 13);
  EXPECT_EQ(result.idl["init_options"]["value"]["runtime_env"]["env_vars"]["MODE"], "test");
}

TEST(Docs, DirectlyAboveOrTrailingOnly) {
  ScanResult result = ScanCases({"docs/docs.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  const json& tasks = result.idl["tasks"];
  EXPECT_EQ(Named(tasks, "First")["doc"], "");
  EXPECT_EQ(Named(tasks, "Second")["doc"], "Three slashes,\ntwo lines.");
  EXPECT_EQ(Named(tasks, "Third")["doc"], "A Javadoc block.\n\nWith a second paragraph.");
  EXPECT_EQ(Named(tasks, "Fourth")["doc"], "Plain slashes.");
  EXPECT_EQ(Named(tasks, "Fifth")["doc"], "");
  const json& fields = Named(result.idl["structs"], "::Options")["fields"];
  EXPECT_EQ(Named(fields, "size")["doc"], "The size.");
  EXPECT_EQ(Named(fields, "depth")["doc"], "The depth.");
  EXPECT_EQ(Named(fields, "width")["doc"], "The width, in a plain trailing comment.");
  EXPECT_EQ(Named(fields, "height")["doc"], "A plain block comment.");
  EXPECT_EQ(Named(fields, "undocumented")["doc"], "");
}

TEST(Inputs, DirectoriesAreSearchedAndUnincludedHeadersParsed) {
  ScanResult result = ScanCases({"project"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["sources"], json({"api.h", "extra/standalone.hpp", "main.cpp"}))
      << "hidden directories, goray-gen outputs and other files are not scanned";
  EXPECT_EQ(Names(result.idl["tasks"]), (std::vector<std::string>{"Hello"}));
  EXPECT_EQ(Names(result.idl["actors"]), (std::vector<std::string>{"Clock"}));
  EXPECT_EQ(result.idl["driver"]["location"]["file"], "main.cpp");
}

TEST(Inputs, AHeaderSeveralSourcesIncludeIsReadOnce) {
  ScanResult result = ScanCases({"shared"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["sources"], json({"a.cpp", "b.cpp", "service.h"}));
  EXPECT_EQ(Names(result.idl["tasks"]), (std::vector<std::string>{"Echo", "Answer"}));
  EXPECT_EQ(Named(result.idl["tasks"], "Echo")["result"]["spelling"], "std::string");
  EXPECT_EQ(Named(result.idl["tasks"], "Answer")["result"]["ref"], "::svc::Service::Reply");
  EXPECT_EQ(result.idl["driver"]["name"], "::svc::Main");
  EXPECT_EQ(result.idl["driver"]["location"]["file"], "b.cpp") << "the definition";
  EXPECT_EQ(result.idl["init_options"]["location"]["file"], "service.h");
}

TEST(Inputs, ProjectHeadersTheSourcesIncludeAreScanned) {
  ScanResult result = ScanCases({"headers/tasks.cpp", "headers/driver.cpp"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["sources"], json({"driver.cpp", "shapes.h", "tasks.cpp"}));
  EXPECT_EQ(Named(result.idl["structs"], "::Point")["location"]["file"], "shapes.h");
  EXPECT_EQ(Named(result.idl["structs"], "::Loose")["location"]["file"], "loose.h");
  // loose.h has no include guard: not scanned, and the #include says why.
  std::vector<std::string> warnings = Warnings(result);
  ASSERT_EQ(warnings.size(), 2u) << Describe(result);
  EXPECT_EQ(warnings[0].rfind("4: 'loose.h' has no include guard", 0), 0u) << warnings[0];
  EXPECT_NE(warnings[0].find("add '#pragma once'"), std::string::npos) << warnings[0];
  EXPECT_EQ(warnings[1].rfind("9: parameter 'l' of task 'Same' uses 'Loose', declared in "
                              "'loose.h'", 0), 0u) << warnings[1];
}

TEST(Inputs, AStructInAHeaderOutsideTheRootIsAWarningSayingWhatToAdd) {
  ScanOptions options;
  options.extra_args = {"-I" + InputPath("outside/include")};
  ScanResult result = ScanInputs({"outside/src/tasks.cpp"}, options);
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["sources"], json({"tasks.cpp"}));
  std::vector<std::string> warnings = Warnings(result);
  ASSERT_EQ(warnings.size(), 1u) << Describe(result);
  EXPECT_NE(warnings[0].find("parameter 'o' of task 'Same' uses 'Other'"), std::string::npos);
  EXPECT_NE(warnings[0].find("outside the sources' root"), std::string::npos);
  std::string header = std::filesystem::canonical(InputPath("outside/include/other.h"));
  EXPECT_NE(warnings[0].find("no typed C++ wrapper uses it; list '" + header +
                             "' among the sources"),
            std::string::npos)
      << warnings[0];
}

TEST(Inputs, RootOptionMakesPathsRelativeToIt) {
  ScanOptions options;
  options.root = CasePath("");
  ScanResult result = ScanCases({"driver/driver.cpp"}, options);
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["sources"], json({"driver/driver.cpp"}));
  EXPECT_EQ(result.idl["driver"]["location"]["file"], "driver/driver.cpp");
}

TEST(Inputs, DefaultRootIsTheCommonDirectory) {
  ScanResult result = ScanCases({"driver/driver.cpp", "project/api.h"});
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(result.idl["sources"], json({"driver/driver.cpp", "project/api.h"}));
}

TEST(Inputs, MissingInputIsAnError) {
  ScanResult result = ScanInputs({"no/such/file.cpp"});
  EXPECT_FALSE(result.ok);
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_NE(result.diagnostics[0].message.find("no such file"), std::string::npos);
  EXPECT_TRUE(result.idl.is_null());
}

TEST(CompileFlags, MissingFlagIsClangsError) {
  ScanResult result = ScanInputs({"flags/flags.cpp"});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.rendered_diagnostics.find("GORAY_TEST_FLAG comes from"), std::string::npos)
      << result.rendered_diagnostics;
}

TEST(CompileFlags, ExtraArgumentsReachClang) {
  ScanOptions options;
  options.extra_args = {"-DGORAY_TEST_FLAG=1"};
  ScanResult result = ScanInputs({"flags/flags.cpp"}, options);
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(Names(result.idl["tasks"]), (std::vector<std::string>{"Value"}));
}

TEST(CompileFlags, CompilationDatabaseGivesFlagsAlsoToHeadersItLacks) {
  std::string build = MakeTempDirectory("compile_commands");
  json commands = json::array({{{"directory", InputPath("flags")},
                                {"file", "flags.cpp"},
                                {"arguments", {"c++", "-std=c++20", "-DGORAY_TEST_FLAG=1",
                                               "-I" + RuntimeInclude(), "-c", "flags.cpp",
                                               "-o", "flags.o"}}}});
  WriteFile(build + "/compile_commands.json", commands.dump(2));
  ScanOptions options;
  options.build_dir = build;
  ScanResult result = ScanInputs({"flags"}, options);
  ASSERT_TRUE(result.ok) << result.rendered_diagnostics;
  EXPECT_EQ(Names(result.idl["tasks"]), (std::vector<std::string>{"Value", "Other"}));
}

TEST(CompileFlags, MissingCompilationDatabaseIsAnError) {
  ScanOptions options;
  options.build_dir = MakeTempDirectory("no_compile_commands");
  ScanResult result = ScanInputs({"flags/flags.cpp"}, options);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.rendered_diagnostics.find("compilation database"), std::string::npos);
}

}  // namespace
}  // namespace goray::scan::testing
