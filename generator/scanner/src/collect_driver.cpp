// What the application's driver runs with: the GORAY_DRIVER function (int f() or
// int f(const std::vector<std::string>&), at most one) and the GORAY_INIT_OPTIONS literal
// (a JSON object of ray.init options, at most one).
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <nlohmann/json.hpp>

#include "collector.h"
#include "display_name.h"
#include "doc_comments.h"
#include "naming.h"

namespace goray::scan {
namespace {

using nlohmann::json;

bool IsStdStringVector(clang::QualType type, const clang::PrintingPolicy& canonical_policy) {
  std::string canonical =
      type.getCanonicalType().getUnqualifiedType().getAsString(canonical_policy);
  return canonical == "std::vector<std::basic_string<char>>";
}

}  // namespace

void Collector::Driver(const clang::FunctionDecl& declared) {
  // Once per function: each redeclaration inherits the marker.
  if (!handled_.insert(declared.getCanonicalDecl()).second) return;
  const clang::FunctionDecl* function = declared.getDefinition();
  if (function == nullptr) function = &declared;
  std::string name = QualifiedFunctionName(*function);
  std::string short_name = function->getNameAsString();
  if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(function);
      method != nullptr && !method->isStatic()) {
    tu_.reporter.Error(function->getLocation(),
                       "GORAY_DRIVER '" + Display(name) +
                           "' is a non-static member function; make it a free function");
    return;
  }
  bool returns_int = function->getReturnType().getCanonicalType()->isSpecificBuiltinType(
      clang::BuiltinType::Int);
  bool takes_args = false;
  bool parameters_ok = !function->isVariadic();
  if (function->getNumParams() == 1) {
    clang::QualType parameter = function->getParamDecl(0)->getType();
    parameters_ok = parameters_ok && parameter->isLValueReferenceType() &&
                    parameter->getPointeeType().isConstQualified() &&
                    IsStdStringVector(parameter->getPointeeType(), tu_.canonical_policy);
    takes_args = true;
  } else if (function->getNumParams() > 1) {
    parameters_ok = false;
  }
  if (!returns_int || !parameters_ok) {
    tu_.reporter.Error(function->getLocation(),
                       "GORAY_DRIVER function '" + Display(name) +
                           "' has the wrong signature; declare it 'int " + short_name +
                           "()' or 'int " + short_name +
                           "(const std::vector<std::string>& args)'");
    return;
  }
  Position position = tu_.locator.Describe(function->getLocation());
  bool definition = function->isThisDeclarationADefinition();
  // The doc may be on the header's declaration rather than on the definition.
  std::string doc;
  for (const clang::FunctionDecl* redeclaration : function->redecls()) {
    doc = DocComment(*redeclaration, tu_.ast);
    if (!doc.empty()) break;
  }
  idl::Driver found{name, takes_args, doc, position};
  std::optional<idl::Driver>& driver = tu_.model.driver;
  // The same driver seen again (declared in a header, defined in a source): the
  // definition's location wins.
  if (driver && driver->name == name && driver->takes_args == takes_args) {
    if (definition && !tu_.model.driver_is_definition) {
      driver = std::move(found);
      tu_.model.driver_is_definition = true;
    }
    return;
  }
  if (driver) {
    tu_.reporter.Error(function->getLocation(),
                       "a second GORAY_DRIVER, '" + Display(name) + "' (the first is '" +
                           Display(driver->name) + "' at " + driver->location.Describe() +
                           "); an application has at most one driver: remove one "
                           "GORAY_DRIVER");
    return;
  }
  driver = std::move(found);
  tu_.model.driver_is_definition = definition;
}

void Collector::InitOptions(const clang::VarDecl& variable) {
  if (!handled_.insert(variable.getCanonicalDecl()).second) return;
  const clang::Expr* init = variable.getInit();
  const auto* literal =
      init == nullptr ? nullptr
                      : llvm::dyn_cast<clang::StringLiteral>(init->IgnoreParenImpCasts());
  if (literal == nullptr || !(literal->isOrdinary() || literal->isUTF8())) {
    tu_.reporter.Error(init != nullptr ? init->getBeginLoc() : variable.getLocation(),
                       "GORAY_INIT_OPTIONS takes a string literal holding a JSON object, "
                       "like GORAY_INIT_OPTIONS(R\"({\"num_cpus\": 2})\")");
    return;
  }
  // Parsed here so that bad JSON is reported at the literal; the writer writes the parse.
  std::string text = literal->getString().str();
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error& error) {
    // Without nlohmann's "[json.exception.parse_error.101] ": the user needs what follows.
    std::string message = error.what();
    if (std::size_t bracket = message.find("] "); message.rfind("[json", 0) == 0 &&
                                                  bracket != std::string::npos) {
      message = message.substr(bracket + 2);
    }
    tu_.reporter.Error(literal->getBeginLoc(),
                       "GORAY_INIT_OPTIONS is not valid JSON (" + message +
                           "); write a JSON object, like R\"({\"num_cpus\": 2})\"");
    return;
  }
  if (!value.is_object()) {
    tu_.reporter.Error(literal->getBeginLoc(),
                       std::string("GORAY_INIT_OPTIONS is a JSON ") + value.type_name() +
                           ", not an object; write the ray.init options as a JSON object, "
                           "like R\"({\"num_cpus\": 2})\"");
    return;
  }
  Position position = tu_.locator.Describe(variable.getLocation());
  std::optional<idl::InitOptions>& options = tu_.model.init_options;
  if (options && options->location == position) return;  // seen from another source file
  if (options) {
    tu_.reporter.Error(variable.getLocation(),
                       "a second GORAY_INIT_OPTIONS (the first is at " +
                           options->location.Describe() +
                           "); an application declares its ray.init options once: merge "
                           "them into one");
    return;
  }
  options = idl::InitOptions{std::move(text), position};
}

}  // namespace goray::scan
