// Assembly of the IDL document from the model: fixed key set, deterministic order
// (tasks and actor types by source position, structs and enums by qualified name).
#include "model.h"

#include <algorithm>

#include "goray/scan/scan.h"

namespace goray::scan {

std::string Position::Describe() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

nlohmann::json Position::ToJson() const {
  return {{"file", file}, {"line", line}, {"column", column}};
}

namespace {

nlohmann::json InSourceOrder(const std::map<std::string, ModelEntry>& entries) {
  std::vector<const std::pair<const std::string, ModelEntry>*> ordered;
  for (const auto& entry : entries) ordered.push_back(&entry);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return std::tie(a->second.position, a->first) < std::tie(b->second.position, b->first);
  });
  nlohmann::json array = nlohmann::json::array();
  for (const auto* entry : ordered) array.push_back(entry->second.value);
  return array;
}

nlohmann::json InNameOrder(const std::map<std::string, nlohmann::json>& entries) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& [name, value] : entries) array.push_back(value);
  return array;
}

}  // namespace

nlohmann::json Model::ToIdl(const std::vector<std::string>& sources) const {
  nlohmann::json idl = nlohmann::json::object();
  idl["idl_version"] = kIdlVersion;
  idl["generator"] = {{"name", kGeneratorName}, {"version", kGeneratorVersion}};
  idl["sources"] = sources;
  idl["tasks"] = InSourceOrder(tasks);
  idl["actors"] = InSourceOrder(actors);
  idl["driver"] = driver ? driver->value : nlohmann::json(nullptr);
  idl["init_options"] = init_options ? init_options->value : nlohmann::json(nullptr);
  idl["structs"] = InNameOrder(structs);
  idl["enums"] = InNameOrder(enums);
  return idl;
}

std::string FormatIdl(const nlohmann::json& idl) {
  return idl.dump(2, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace goray::scan
