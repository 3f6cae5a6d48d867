// One test per rule broken: the scan fails, no IDL, and a clang-style error at the
// offending declaration names it and what to change.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace goray::scan::testing {
namespace {

struct ErrorCase {
  std::string name;
  std::string input;  // under inputs/errors/
  std::string file;   // the error's file, relative to the root
  unsigned line;
  unsigned column;
  std::vector<std::string> message_parts;  // each must be in the message
};

std::ostream& operator<<(std::ostream& out, const ErrorCase& error) { return out << error.name; }

class DiagnosticsTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DiagnosticsTest, ReportsTheRuleAtTheDeclaration) {
  const ErrorCase& error = GetParam();
  ScanResult result = ScanInputs({"errors/" + error.input});
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.idl.is_null());
  const Diagnostic* found = nullptr;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.severity == "error") {
      found = &diagnostic;
      break;
    }
  }
  ASSERT_NE(found, nullptr) << "no error reported";
  EXPECT_EQ(found->file, error.file) << Describe(result);
  EXPECT_EQ(found->line, error.line) << Describe(result);
  EXPECT_EQ(found->column, error.column) << Describe(result);
  for (const std::string& part : error.message_parts) {
    EXPECT_NE(found->message.find(part), std::string::npos)
        << "'" << part << "' not in: " << found->message;
  }
  std::string clang_style = ":" + std::to_string(error.line) + ":" +
                            std::to_string(error.column) + ": ";
  EXPECT_NE(result.rendered_diagnostics.find(clang_style), std::string::npos)
      << result.rendered_diagnostics;
  EXPECT_NE(result.rendered_diagnostics.find("error: "), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, DiagnosticsTest,
    ::testing::Values(
        ErrorCase{"PointerParameter", "pointer_param.h", "pointer_param.h", 3, 18,
                  {"parameter 'out' of task 'Fill'", "pointer", "by value or by const reference"}},
        ErrorCase{"NonConstReference", "nonconst_ref.h", "nonconst_ref.h", 4, 28,
                  {"parameter 'text' of task 'Append'", "non-const reference",
                   "by value or by const reference"}},
        ErrorCase{"FunctionPointer", "function_pointer.h", "function_pointer.h", 3, 19,
                  {"parameter 'callback' of task 'Apply'", "function pointer"}},
        ErrorCase{"Overload", "overload.h", "overload.h", 4, 10,
                  {"task 'Scale' is overloaded", "give each overload its own name"}},
        ErrorCase{"NonVirtualDiamondTask", "diamond_task.h", "diamond_task.h", 4, 11,
                  {"task 'Count' is ambiguous", "'Counter' is a base of 'Tasks' twice",
                   "'Tasks -> Left -> Counter'", "'Tasks -> Right -> Counter'",
                   "virtual base"}},
        ErrorCase{"NonVirtualDiamondMethod", "diamond_actor.h", "diamond_actor.h", 5, 11,
                  {"method 'Count' of actor type 'Both' is ambiguous",
                   "'Counter' is a base of 'Both' twice", "'Both -> Left -> Counter'",
                   "'Both -> Right -> Counter'", "virtual base"}},
        ErrorCase{"ConstOverload", "const_overload.h", "const_overload.h", 6, 11,
                  {"method 'Get' of actor type 'Store' is overloaded", "const"}},
        ErrorCase{"FunctionTemplate", "template_task.h", "template_task.h", 4, 5,
                  {"task 'Twice' is a function template", "non-template"}},
        ErrorCase{"ClassTemplate", "template_struct.h", "template_struct.h", 3, 20,
                  {"'Tasks' is a template", "GORAY_TASKS", "non-template"}},
        // A specialization nothing instantiates (function bodies are skipped) is still
        // seen whole: the template rule, not "only declared".
        ErrorCase{"UninstantiatedTemplateParameter", "template_specialization_param.h",
                  "template_specialization_param.h", 10, 31,
                  {"parameter 'box' of task 'Get' uses 'geo::Box<double>'",
                   "a class template specialization", "declare a plain struct"}},
        ErrorCase{"UninstantiatedTemplateActorClass", "template_specialization_actor.h",
                  "template_specialization_actor.h", 11, 31,
                  {"the class 'Store' of actor type 'IntStore' is a class template "
                   "specialization", "declare a non-template class"}},
        // Eigen's classes by name (stand-ins here; eigen_test.cpp has Eigen's own).
        ErrorCase{"EigenSparseParameter", "eigen_param.h", "eigen_param.h", 15, 45,
                  {"parameter 'm' of task 'Trace' has type 'Eigen::SparseMatrixXd'",
                   "sparse matrices are not supported",
                   "pass the CSR arrays (values, inner indices, outer starts)",
                   "rebuild with Eigen::Map<SparseMatrix>"}},
        ErrorCase{"EigenRefResult", "eigen_result.h", "eigen_result.h", 17, 3,
                  {"the result of task 'Ones' has type 'Eigen::Ref<const Eigen::VectorXf>'",
                   "a parameter's type only",
                   "return or store the owning Eigen::VectorXf instead"}},
        ErrorCase{"UnmappedType", "unmapped.h", "unmapped.h", 4, 47,
                  {"parameter 'values' of task 'Sum'", "'std::forward_list<double>'",
                   "cannot pass", "std::vector"}},
        ErrorCase{"UnmappedNestedType", "unmapped_nested.h", "unmapped_nested.h", 5, 3,
                  {"the result of task 'Words'", "'std::string_view' is not supported",
                   "only a parameter (by value or const reference), a parameter's std::vector or a "
                   "result may be one",
                   "use std::string"}},
        // A variant is decoded by the value's kind: two alternatives of one kind are refused.
        ErrorCase{"VariantOfTwoIntegers", "variant_same_integers.h", "variant_same_integers.h",
                  4, 36,
                  {"parameter 'value' of task 'Pick' has type 'std::variant<int, long>'",
                   "alternatives 'int' and 'long' are both read from a msgpack integer",
                   "no rule can tell them apart", "keep one of them"}},
        ErrorCase{"VariantOfTwoStructs", "variant_two_structs.h", "variant_two_structs.h", 7, 51,
                  {"parameter 'shape' of task 'Area'", "'::Circle' and '::Square'",
                   "both read from a msgpack map (maps and structs both are)",
                   "no rule can tell them apart"}},
        ErrorCase{"VariantOfAStructAndAMap", "variant_struct_and_map.h",
                  "variant_struct_and_map.h", 8, 3,
                  {"the result of task 'Points'",
                   "'std::variant<Point, std::map<std::string, int>>' is not supported",
                   "'::Point' and 'std::map<std::string, int>' are both read from a msgpack map"}},
        ErrorCase{"VariantOfAnOptional", "variant_optional.h", "variant_optional.h", 6, 49,
                  {"field 'level' of struct 'Settings'", "cannot be a std::optional",
                   "make std::monostate an alternative"}},
        ErrorCase{"VariantOfAVariant", "variant_nested.h", "variant_nested.h", 5, 63,
                  {"parameter 'value' of task 'Set'", "cannot be a std::variant",
                   "list its alternatives in the outer variant"}},
        ErrorCase{"VariantOfAStringView", "variant_string_view.h", "variant_string_view.h", 5,
                  48,
                  {"parameter 'words' of task 'Say'", "'std::string_view' is not supported",
                   "use std::string"}},
        ErrorCase{"FloatingDuration", "duration_floating.h", "duration_floating.h", 4, 44,
                  {"parameter 'seconds' of task 'Sleep'", "std::chrono::duration<double>",
                   "use an integral count such as std::chrono::nanoseconds"}},
        ErrorCase{"ComplexOfInt", "complex_int.h", "complex_int.h", 4, 3,
                  {"the result of task 'Gaussian'", "'std::complex<int>'",
                   "use std::complex<float> or std::complex<double>"}},
        ErrorCase{"StringViewField", "string_view_field.h", "string_view_field.h", 4, 20,
                  {"field 'name' of struct 'Named'", "'std::string_view'",
                   "only a parameter (by value or const reference), a parameter's std::vector or a result",
                   "use std::string"}},
        ErrorCase{"StringViewByRvalueReference", "string_view_rvalue.h", "string_view_rvalue.h", 4,
                  33, {"parameter 'name' of task 'Greet' is an rvalue reference",
                       "take a view by value or by const reference"}},
        ErrorCase{"MonostateAlone", "monostate_alone.h", "monostate_alone.h", 4, 3,
                  {"the result of task 'Nothing'", "'std::monostate'",
                   "only an alternative of a std::variant", "use std::optional"}},
        ErrorCase{"TupleParameter", "tuple_param.h", "tuple_param.h", 5, 46,
                  {"parameter 'pair' of task 'First'", "only a result type"}},
        ErrorCase{"PrivateField", "private_field.h", "private_field.h", 8, 11,
                  {"field 'key_' of struct 'geo::Secret' is private", "make it public"}},
        ErrorCase{"AnonymousNamespace", "anonymous_namespace.h", "anonymous_namespace.h", 8, 18,
                  {"'Point'", "anonymous namespace"}},
        ErrorCase{"SecondDriver", "two_drivers.cpp", "two_drivers.cpp", 3, 18,
                  {"a second GORAY_DRIVER, 'Second'", "'First' at two_drivers.cpp:2:18",
                   "remove one"}},
        ErrorCase{"SecondDriverInAnotherFile", "two_drivers_dir", "b.cpp", 3, 18,
                  {"a second GORAY_DRIVER, 'other::Second'", "'First' at a.cpp:2:18"}},
        ErrorCase{"SecondInitOptions", "two_init_options_dir", "b.cpp", 2, 1,
                  {"a second GORAY_INIT_OPTIONS", "a.cpp:2:1"}},
        ErrorCase{"SeveralPublicConstructors", "actor_constructors.h", "actor_constructors.h", 4,
                  19, {"GORAY_ACTOR class 'Account' has 2 public constructors", "keep one"}},
        ErrorCase{"InvalidInitOptionsJson", "init_options_json.cpp", "init_options_json.cpp", 2,
                  20, {"GORAY_INIT_OPTIONS is not valid JSON", "line 1, column 4"}},
        ErrorCase{"InitOptionsNotAnObject", "init_options_not_object.cpp",
                  "init_options_not_object.cpp", 2, 20,
                  {"GORAY_INIT_OPTIONS is a JSON array, not an object"}},
        ErrorCase{"DriverSignature", "driver_signature.cpp", "driver_signature.cpp", 4, 18,
                  {"GORAY_DRIVER function 'Run' has the wrong signature", "'int Run()'",
                   "'int Run(const std::vector<std::string>& args)'"}},
        ErrorCase{"MissingInclude", "missing_include.cpp", "missing_include.cpp", 1, 10,
                  {"'goray/no_such_header.h' file not found"}},
        ErrorCase{"FactoryResult", "factory_result.h", "factory_result.h", 4, 10,
                  {"the factory of actor type 'Counter' returns 'int64_t'",
                   "T, std::unique_ptr<T> or T*"}},
        ErrorCase{"DuplicateTaskName", "duplicate_task.h", "duplicate_task.h", 6, 10,
                  {"task 'Square' is declared twice", "duplicate_task.h:3:10"}},
        ErrorCase{"ReservedMethodName", "reserved_method.h", "reserved_method.h", 6, 11,
                  {"method 'Get__' of actor type 'Store' ends in '__'",
                   "'Get__' for the encoded calls of 'Get'", "rename it"}},
        ErrorCase{"ReservedTaskName", "reserved_task.h", "reserved_task.h", 4, 11,
                  {"task 'Run__' ends in '__'", "reserves", "rename it"}},
        ErrorCase{"ReservedDriverAttribute", "reserved_goray_method.h",
                  "reserved_goray_method.h", 4, 8,
                  {"method '_goray_call' of actor type 'Worker' starts with '_goray'",
                   "rename it"}},
        ErrorCase{"ReservedRayAttribute", "reserved_ray_method.h", "reserved_ray_method.h", 5,
                  11,
                  {"method '_actor_id' of actor type 'Handle' is an attribute of Ray's actor "
                   "handles",
                   "rename it"}},
        ErrorCase{"MutableSpan", "array_span_mutable.h", "array_span_mutable.h", 3, 31,
                  {"parameter 'out' of task 'Fill'", "'std::span<double>'", "read-only",
                   "take std::span<const double>", "goray::Array<double>"}},
        ErrorCase{"FixedExtentSpan", "array_span_fixed.h", "array_span_fixed.h", 3, 42,
                  {"parameter 'xyz' of task 'Norm'", "'std::span<const double, 3>'",
                   "dynamic extent", "take std::span<const double>"}},
        ErrorCase{"ViewResult", "array_view_result.h", "array_view_result.h", 3, 3,
                  {"the result of task 'Slice'", "'goray::ArrayView<double>'",
                   "only a parameter may be one", "use goray::Array<double>"}},
        ErrorCase{"SpanField", "array_view_field.h", "array_view_field.h", 4, 26,
                  {"field 'points' of struct 'geo::Batch'", "'std::span<const float>'",
                   "only a parameter may be one", "use goray::Array<float>"}},
        ErrorCase{"ViewInContainer", "array_view_element.h", "array_view_element.h", 4, 54,
                  {"parameter 'parts' of task 'Total'",
                   "'goray::ArrayView<double>' is not supported", "use goray::Array<double>"}},
        ErrorCase{"HandleOfNoActorType", "handle_not_actor.h", "handle_not_actor.h", 6, 47,
                  {"parameter 'logger' of task 'Log'", "goray::ActorHandleOf<jobs::Logger>",
                   "no actor type builds a 'jobs::Logger'", "take a goray::ActorHandle"}},
        ErrorCase{"HandleOfNonClass", "handle_of_int.h", "handle_of_int.h", 3, 51,
                  {"parameter 'loggers' of task 'Log'", "'goray::ActorHandleOf<int>'",
                   "takes the C++ class of an actor type"}},
        ErrorCase{"NonConstRefToObjectRef", "ref_nonconst.h", "ref_nonconst.h", 3, 31,
                  {"parameter 'out' of task 'Fill'", "non-const reference",
                   "'goray::ObjectRef &'", "by value or by const reference"}},
        ErrorCase{"FutureOfView", "future_of_view.h", "future_of_view.h", 3, 54,
                  {"parameter 'values' of task 'Sum'", "'goray::ArrayView<double>'",
                   "use goray::Array<double>"}},
        ErrorCase{"UnsupportedArrayElement", "array_element.h", "array_element.h", 4, 50,
                  {"parameter 'words' of task 'Count'", "'goray::Array<std::string>'",
                   "element type must be bool, an integer", "std::complex<double>",
                   "not 'std::string'"}},
        ErrorCase{"ViewAliasResult", "array_alias_result.h", "array_alias_result.h", 6, 3,
                  {"the result of task 'Last' has type 'signal::Window'",
                   "'std::span<const double>' borrows the caller's memory",
                   "use goray::Array<double>"}},
        ErrorCase{"RvalueView", "array_view_rvalue.h", "array_view_rvalue.h", 3, 41,
                  {"parameter 'values' of task 'Sum' is an rvalue reference",
                   "by value or by const reference"}},
        // GORAY_ACTOR_OPTIONS, at the marker.
        ErrorCase{"ActorOptionsNotJson", "actor_options_json.h", "actor_options_json.h", 2, 19,
                  {"GORAY_ACTOR_OPTIONS of class 'Ledger' is not valid JSON",
                   "write a JSON object"}},
        ErrorCase{"ActorOptionsPerCreation", "actor_options_per_creation.h",
                  "actor_options_per_creation.h", 2, 19,
                  {"\"name\" names one actor, so it is given per creation",
                   ".options(name=...)", "goray::Option(\"name\", ...)"}},
        ErrorCase{"ActorOptionsUnknown", "actor_options_unknown.h", "actor_options_unknown.h", 2,
                  19,
                  {"\"max_restart\" is not an option a class declares", "max_restarts",
                   "give any other Ray option per creation"}},
        ErrorCase{"ActorOptionsValueOfAFactory", "actor_options_value.h", "actor_options_value.h",
                  9, 3,
                  {"GORAY_ACTOR_OPTIONS of the factory of actor type 'Primary'",
                   "\"max_restarts\" is -2", "an integer >= -1"}},
        ErrorCase{"ActorOptionsThreadsWithoutThreadSafe", "actor_options_threads.h",
                  "actor_options_threads.h", 2, 19,
                  {"gives actor type 'Ledger' max_concurrency 4", "is not GORAY_THREADSAFE",
                   "mark the class GORAY_THREADSAFE"}},
        ErrorCase{"ActorOptionsTwice", "actor_options_twice.h", "actor_options_twice.h", 3, 19,
                  {"class 'Ledger' has two GORAY_ACTOR_OPTIONS",
                   "the other at actor_options_twice.h:2:7", "declare its options in one"}},
        ErrorCase{"ActorOptionsMisplaced", "actor_options_misplaced.h", "actor_options_misplaced.h",
                  3, 61,
                  {"GORAY_ACTOR_OPTIONS applies to the class of an actor type or a factory of a "
                   "GORAY_ACTORS struct"}},
        // The concurrency markers, at the marker where one is to blame.
        ErrorCase{"GroupWithoutThreadSafe", "group_not_threadsafe.h", "group_not_threadsafe.h",
                  3, 19,
                  {"class 'Fetcher' declares concurrency groups but is not GORAY_THREADSAFE",
                   "mark the class GORAY_THREADSAFE"}},
        ErrorCase{"GroupSizeNotALiteral", "group_size_name.h", "group_size_name.h", 4, 36,
                  {"GORAY_CONCURRENCY_GROUP(\"io\", kThreads) of class 'Fetcher'",
                   "the size 'kThreads' is not a positive integer literal",
                   "like GORAY_CONCURRENCY_GROUP(\"io\", 2)"}},
        ErrorCase{"GroupSizeZeroOfAFactorysClass", "group_size_zero.h", "group_size_zero.h", 3,
                  24, {"the size '0' is not a positive integer literal"}},
        ErrorCase{"GroupDeclaredTwice", "group_twice.h", "group_twice.h", 4, 5,
                  {"class 'Fetcher' declares concurrency group 'io' twice",
                   "declare each group once"}},
        ErrorCase{"GroupWithAnEmptyName", "group_empty_name.h", "group_empty_name.h", 3, 36,
                  {"GORAY_CONCURRENCY_GROUP(\"\", 2) of class 'Fetcher' has an empty name",
                   "name the group"}},
        ErrorCase{"InGroupUndeclared", "in_group_undeclared.h", "in_group_undeclared.h", 5, 3,
                  {"method 'Load' of actor type 'Cache' is in concurrency group 'db'",
                   "its class 'Cache' does not declare", "GORAY_CONCURRENCY_GROUP(\"db\""}},
        ErrorCase{"InGroupTwice", "in_group_two.h", "in_group_two.h", 6, 24,
                  {"method 'Get' of actor type 'Cache' is in concurrency groups 'io' and "
                   "'compute'", "keep one GORAY_IN_GROUP"}},
        ErrorCase{"InGroupOnAFreeFunction", "in_group_free_function.h", "in_group_free_function.h",
                  3, 30,
                  {"GORAY_IN_GROUP applies to a public method of an actor type's class",
                   "remove it here"}},
        ErrorCase{"InGroupOnAStaticMember", "in_group_static.h", "in_group_static.h", 5, 39,
                  {"GORAY_IN_GROUP on static member function 'Cache::Hash'", "make it non-static"}},
        ErrorCase{"InGroupOnAPrivateMember", "in_group_private.h", "in_group_private.h", 8, 32,
                  {"GORAY_IN_GROUP on private member function 'Cache::Load'", "make it public"}},
        ErrorCase{"InGroupNotAnActorsMethod", "in_group_not_actor_dir", "helper.h", 6, 32,
                  {"GORAY_IN_GROUP on 'Helper::Fetch', which no actor type has as a method",
                   "put it on a method of a GORAY_THREADSAFE actor class"}},
        // GORAY_KEEP_GIL: on a task or an actor method that does not stream.
        ErrorCase{"KeepGilOnAFreeFunction", "keep_gil_free_function.h", "keep_gil_free_function.h",
                  3, 24,
                  {"GORAY_KEEP_GIL applies to a task (a public member function of a GORAY_TASKS "
                   "struct) or a method of an actor type", "remove it here"}},
        ErrorCase{"KeepGilOnAGenerator", "keep_gil_generator.h", "keep_gil_generator.h", 4, 44,
                  {"GORAY_KEEP_GIL on task 'Count', a generator", "remove GORAY_KEEP_GIL"}},
        ErrorCase{"KeepGilNotATaskOrMethod", "keep_gil_not_a_method.h", "keep_gil_not_a_method.h", 7, 26,
                  {"GORAY_KEEP_GIL on 'Helper::Fetch', which is no task and no method of an actor type",
                   "put it on one of those, or remove it"}},
        // goray::Generator<T>: a task's or method's result only, of a value type, without
        // parameters that borrow the caller's memory.
        ErrorCase{"GeneratorParameter", "generator_param.h", "generator_param.h", 4, 41,
                  {"parameter 'numbers' of task 'Sum'", "'goray::Generator<int64_t>'",
                   "only the result of a task or an actor method"}},
        ErrorCase{"GeneratorField", "generator_field.h", "generator_field.h", 4, 29,
                  {"field 'items' of struct 'Feed'",
                   "only the result of a task or an actor method"}},
        ErrorCase{"GeneratorElement", "generator_element.h", "generator_element.h", 5, 3,
                  {"the result of task 'Split'", "'std::vector<goray::Generator<int64_t>>'",
                   "only the result of a task or an actor method"}},
        ErrorCase{"GeneratorInAFuture", "generator_in_future.h", "generator_in_future.h", 4, 3,
                  {"the result of task 'Later'", "only the result of a task or an actor method"}},
        ErrorCase{"GeneratorFromAFactory", "generator_factory.h", "generator_factory.h", 4, 10,
                  {"the factory of actor type 'Counter' returns 'goray::Generator<int64_t>'",
                   "T, std::unique_ptr<T> or T*"}},
        ErrorCase{"GeneratorOfVoid", "generator_of_void.h", "generator_of_void.h", 3, 3,
                  {"the result of task 'Ticks'", "goray::Generator<void> yields none"}},
        ErrorCase{"GeneratorOfGenerator", "generator_of_generator.h", "generator_of_generator.h",
                  5, 3,
                  {"the result of method 'Nested' of actor type 'Streams'",
                   "'goray::Generator<int64_t>' is not supported",
                   "only the result of a task or an actor method"}},
        ErrorCase{"GeneratorWithAViewParameter", "generator_view_param.h", "generator_view_param.h",
                  3, 61,
                  {"parameter 'values' of task 'Running' borrows the caller's memory "
                   "('goray::ArrayView<double>')",
                   "is a generator, whose body runs after the call has returned",
                   "take goray::Array<double>"}},
        ErrorCase{"GeneratorWithASpanParameter", "generator_span_param.h", "generator_span_param.h",
                  5, 66,
                  {"parameter 'values' of method 'Prefix' of actor type 'Scanner' borrows",
                   "'std::span<const double>'", "take goray::Array<double>"}},
        ErrorCase{"GeneratorWithAStringViewParameter", "generator_string_view_param.h",
                  "generator_string_view_param.h", 5, 56,
                  {"parameter 'text' of task 'Words' borrows the caller's memory "
                   "('std::string_view')",
                   "is a generator, whose body runs after the call has returned",
                   "take std::string"}}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) { return param.param.name; });

TEST(Diagnostics, EveryBrokenRuleIsReportedNotJustTheFirst) {
  ScanResult result = ScanInputs({"errors/pointer_param.h", "errors/nonconst_ref.h"});
  EXPECT_FALSE(result.ok);
  unsigned errors = 0;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    errors += diagnostic.severity == "error" ? 1 : 0;
  }
  EXPECT_EQ(errors, 2u) << Describe(result);
}

// A generator whose first parameter is refused and whose second borrows: each error is at
// its own parameter.
TEST(Diagnostics, ABorrowingGeneratorParameterIsReportedAtItselfAfterABadOne) {
  ScanResult result = ScanInputs({"errors/generator_borrow_after_bad_param.h"});
  EXPECT_FALSE(result.ok);
  std::vector<const Diagnostic*> errors;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.severity == "error") errors.push_back(&diagnostic);
  }
  ASSERT_EQ(errors.size(), 2u) << Describe(result);
  EXPECT_NE(errors[0]->message.find("parameter 'out' of task 'Running' is a pointer"),
            std::string::npos) << Describe(result);
  EXPECT_EQ(errors[0]->column, 41u) << Describe(result);
  EXPECT_NE(errors[1]->message.find("parameter 'values' of task 'Running' borrows"),
            std::string::npos) << Describe(result);
  EXPECT_EQ(errors[1]->line, 3u) << Describe(result);
  EXPECT_EQ(errors[1]->column, 71u) << Describe(result);
}

// driver.cpp fails (a missing include); tasks.cpp after it is fine and must not be
// blamed: each file's parse is judged by its own errors.
TEST(Diagnostics, AFileThatFailsToParseIsTheOneReported) {
  ScanResult result = ScanInputs({"errors/missing_include_dir"});
  EXPECT_FALSE(result.ok);
  ASSERT_EQ(result.diagnostics.size(), 1u) << Describe(result);
  EXPECT_EQ(result.diagnostics[0].file, "driver.cpp");
  EXPECT_EQ(result.diagnostics[0].line, 2u);
  EXPECT_NE(result.diagnostics[0].message.find("'no_such_header.h' file not found"),
            std::string::npos);
  EXPECT_EQ(result.rendered_diagnostics.find("tasks.cpp"), std::string::npos)
      << result.rendered_diagnostics;
  EXPECT_EQ(result.rendered_diagnostics.find("could not parse"), std::string::npos)
      << result.rendered_diagnostics;
}

TEST(Diagnostics, AnErrorInAHeaderSeveralSourcesIncludeIsReportedOnce) {
  ScanResult result = ScanInputs({"errors/shared_header_dir"});
  EXPECT_FALSE(result.ok);
  ASSERT_EQ(result.diagnostics.size(), 1u) << Describe(result);
  EXPECT_EQ(result.diagnostics[0].file, "tasks.h");
  EXPECT_EQ(result.diagnostics[0].line, 5u);
  EXPECT_NE(result.rendered_diagnostics.find("\n1 error generated.\n"), std::string::npos)
      << result.rendered_diagnostics;
}

}  // namespace
}  // namespace goray::scan::testing
