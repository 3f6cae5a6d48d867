// The typed IDL (idl.h) as JSON: one function per object of the schema, each writing every
// key that object always has and the optional ones only when set (docs/idl.md,
// "Complete").
#include "idl_writer.h"

#include <type_traits>

#include "goray/scan/scan.h"

namespace goray::scan {
namespace {

using nlohmann::json;

json LocationObject(const Position& position) {
  return {{"file", position.file}, {"line", position.line}, {"column", position.column}};
}

json TypeObject(const idl::Type& type);

json TypeArray(const std::vector<idl::Type>& types) {
  json array = json::array();
  for (const idl::Type& type : types) array.push_back(TypeObject(type));
  return array;
}

const char* FormName(idl::ArrayForm form) {
  switch (form) {
    case idl::ArrayForm::kArray:
      return "array";
    case idl::ArrayForm::kView:
      return "view";
    case idl::ArrayForm::kSpan:
      return "span";
    case idl::ArrayForm::kEigen:
      return "eigen";
    case idl::ArrayForm::kEigenRef:
      return "eigen_ref";
    case idl::ArrayForm::kEigenMap:
      return "eigen_map";
  }
  return "";
}

// The keys of a type object beyond spelling, canonical and kind: none by default (bool,
// string, bytes, time_point, path, duration, string_view, monostate, value, void), else
// those of its kind.
template <typename Kind>
void KindData(const Kind&, json&) {}

template <typename Kind>
  requires std::is_same_v<decltype(Kind::element), idl::Box<idl::Type>>
void KindData(const Kind& kind, json& object) {  // the containers, optional, generator
  object["element"] = TypeObject(*kind.element);
}

template <typename Kind>
  requires std::is_same_v<decltype(Kind::elements), std::vector<idl::Type>>
void KindData(const Kind& kind, json& object) {  // pair, tuple
  object["elements"] = TypeArray(kind.elements);
}

template <typename Kind>
  requires std::is_same_v<decltype(Kind::key), idl::Box<idl::Type>>
void KindData(const Kind& kind, json& object) {  // map, unordered_map
  object["key"] = TypeObject(*kind.key);
  object["value"] = TypeObject(*kind.value);
}

void KindData(const idl::IntType& kind, json& object) {
  object["bits"] = kind.bits;
  object["signed"] = kind.is_signed;
}

void KindData(const idl::FloatType& kind, json& object) { object["bits"] = kind.bits; }

void KindData(const idl::ComplexType& kind, json& object) { object["bits"] = kind.bits; }

void KindData(const idl::VariantType& kind, json& object) {
  object["alternatives"] = TypeArray(kind.alternatives);
}

void KindData(const idl::ArrayType& kind, json& object) {
  object["element"] = TypeObject(*kind.element);
  object["size"] = kind.size;
}

void KindData(const idl::StructType& kind, json& object) { object["ref"] = kind.ref; }

void KindData(const idl::EnumType& kind, json& object) { object["ref"] = kind.ref; }

void KindData(const idl::NdArrayType& kind, json& object) {
  object["form"] = FormName(kind.form);
  object["element"] = kind.element;
  object["dtype"] = kind.dtype;
  if (kind.eigen) {
    object["eigen"] = {{"class", kind.eigen->is_array ? "array" : "matrix"},
                       {"rows", kind.eigen->rows},
                       {"cols", kind.eigen->cols},
                       {"row_major", kind.eigen->row_major},
                       {"spelling", kind.eigen->spelling}};
  }
}

void KindData(const idl::ColumnType& kind, json& object) {
  object["values"] = kind.text ? "string" : "binary";
  object["form"] = kind.builder ? "builder" : "view";
}

void KindData(const idl::ObjectRefType& kind, json& object) {
  object["value"] = kind.value ? TypeObject(**kind.value) : json(nullptr);
}

void KindData(const idl::ActorHandleType& kind, json& object) {
  object["class"] = kind.class_name ? json(*kind.class_name) : json(nullptr);
  object["actor"] = kind.actor ? json(*kind.actor) : json(nullptr);
}

json TypeObject(const idl::Type& type) {
  json object = {{"spelling", type.spelling}, {"canonical", type.canonical}};
  object["kind"] = type.KindName();
  std::visit([&](const auto& kind) { KindData(kind, object); }, type.kind);
  return object;
}

const char* PassingName(idl::Passing passing) {
  switch (passing) {
    case idl::Passing::kValue:
      return "value";
    case idl::Passing::kConstReference:
      return "const_reference";
    case idl::Passing::kRvalueReference:
      return "rvalue_reference";
  }
  return "";
}

json ParamObject(const idl::Param& param) {
  json object = {{"name", param.name},
                 {"declared", param.declared},
                 {"passing", PassingName(param.passing)},
                 {"type", TypeObject(param.type)}};
  if (param.has_default) object["has_default"] = true;
  if (param.default_value) {
    object["default"] = std::visit([](const auto& value) { return json(value); },
                                   *param.default_value);
  }
  return object;
}

json ParamArray(const std::vector<idl::Param>& params) {
  json array = json::array();
  for (const idl::Param& param : params) array.push_back(ParamObject(param));
  return array;
}

json TaskObject(const idl::Task& task) {
  json object = {{"name", task.name},
                 {"owner", task.owner},
                 {"static", task.is_static},
                 {"params", ParamArray(task.params)},
                 {"result", TypeObject(task.result)},
                 {"doc", task.doc},
                 {"location", LocationObject(task.location)}};
  if (task.declaring_class) object["declaring_class"] = *task.declaring_class;
  if (task.keeps_gil) object["keeps_gil"] = true;
  return object;
}

const char* ReturnsName(idl::FactoryReturns returns) {
  switch (returns) {
    case idl::FactoryReturns::kValue:
      return "value";
    case idl::FactoryReturns::kUniquePtr:
      return "unique_ptr";
    case idl::FactoryReturns::kRawPointer:
      return "raw_pointer";
  }
  return "";
}

json ConstructionObject(const idl::Construction& construction) {
  if (const auto* factory = std::get_if<idl::Factory>(&construction)) {
    return {{"kind", "factory"},
            {"owner", factory->owner},
            {"function", factory->function},
            {"static", factory->is_static},
            {"returns", ReturnsName(factory->returns)}};
  }
  return {{"kind", "constructor"}};
}

json MethodObject(const idl::Method& method) {
  json object = {{"name", method.name},
                 {"declaring_class", method.declaring_class},
                 {"const", method.is_const},
                 {"params", ParamArray(method.params)},
                 {"result", TypeObject(method.result)},
                 {"doc", method.doc}};
  if (method.concurrency_group) object["concurrency_group"] = *method.concurrency_group;
  if (method.keeps_gil) object["keeps_gil"] = true;
  if (method.location) object["location"] = LocationObject(*method.location);
  return object;
}

json ActorObject(const idl::Actor& actor) {
  json methods = json::array();
  for (const idl::Method& method : actor.methods) methods.push_back(MethodObject(method));
  json groups = json::array();
  for (const idl::ConcurrencyGroup& group : actor.concurrency_groups) {
    groups.push_back({{"name", group.name}, {"size", group.size}});
  }
  json object = {{"name", actor.name},
                 {"class", actor.class_name},
                 {"construction", ConstructionObject(actor.construction)},
                 {"params", ParamArray(actor.params)},
                 {"methods", std::move(methods)},
                 {"thread_safe", actor.thread_safe},
                 {"concurrency_groups", std::move(groups)},
                 {"doc", actor.doc},
                 {"location", LocationObject(actor.location)}};
  if (!actor.options.empty()) object["options"] = json::parse(actor.options);
  return object;
}

json DriverObject(const idl::Driver& driver) {
  return {{"name", driver.name},
          {"takes_args", driver.takes_args},
          {"doc", driver.doc},
          {"location", LocationObject(driver.location)}};
}

json InitOptionsObject(const idl::InitOptions& options) {
  return {{"text", options.text},
          {"value", json::parse(options.text)},
          {"location", LocationObject(options.location)}};
}

json StructObject(const idl::Struct& record) {
  json fields = json::array();
  for (const idl::Field& field : record.fields) {
    fields.push_back({{"name", field.name},
                      {"type", TypeObject(field.type)},
                      {"declaring_class", field.declaring_class},
                      {"doc", field.doc}});
  }
  json object = {{"name", record.name}, {"fields", std::move(fields)}, {"doc", record.doc}};
  if (record.location) object["location"] = LocationObject(*record.location);
  return object;
}

json EnumObject(const idl::Enum& enumeration) {
  json enumerators = json::array();
  for (const idl::Enumerator& enumerator : enumeration.enumerators) {
    enumerators.push_back(
        {{"name", enumerator.name},
         {"value", std::visit([](auto value) { return json(value); }, enumerator.value)},
         {"doc", enumerator.doc}});
  }
  json object = {{"name", enumeration.name},
                 {"scoped", enumeration.scoped},
                 {"underlying", TypeObject(enumeration.underlying)},
                 {"enumerators", std::move(enumerators)},
                 {"doc", enumeration.doc}};
  if (enumeration.location) object["location"] = LocationObject(*enumeration.location);
  return object;
}

template <typename Entry, typename Write>
json ArrayOf(const std::vector<Entry>& entries, Write write) {
  json array = json::array();
  for (const Entry& entry : entries) array.push_back(write(entry));
  return array;
}

}  // namespace

json WriteIdl(const idl::Document& document) {
  json idl = json::object();
  idl["idl_version"] = kIdlVersion;
  idl["generator"] = {{"name", kGeneratorName}, {"version", kGeneratorVersion}};
  idl["sources"] = document.sources;
  idl["tasks"] = ArrayOf(document.tasks, TaskObject);
  idl["actors"] = ArrayOf(document.actors, ActorObject);
  idl["driver"] = document.driver ? DriverObject(*document.driver) : json(nullptr);
  idl["init_options"] =
      document.init_options ? InitOptionsObject(*document.init_options) : json(nullptr);
  idl["structs"] = ArrayOf(document.structs, StructObject);
  idl["enums"] = ArrayOf(document.enums, EnumObject);
  return idl;
}

std::string FormatIdl(const json& idl) {
  return idl.dump(2, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) + "\n";
}

}  // namespace goray::scan
