// The model as the IDL document, in a fixed order so that a scan is deterministic: tasks
// and actor types by source position (then name), structs and enums by qualified name.
#include "model.h"

#include <algorithm>
#include <tuple>

namespace goray::scan {
namespace {

template <typename Entry>
std::vector<Entry> InSourceOrder(const std::map<std::string, Entry>& entries) {
  std::vector<const std::pair<const std::string, Entry>*> ordered;
  for (const auto& entry : entries) ordered.push_back(&entry);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return std::tie(a->second.location, a->first) < std::tie(b->second.location, b->first);
  });
  std::vector<Entry> sorted;
  for (const auto* entry : ordered) sorted.push_back(entry->second);
  return sorted;
}

template <typename Entry>
std::vector<Entry> InNameOrder(const std::map<std::string, Entry>& entries) {
  std::vector<Entry> sorted;
  for (const auto& [name, entry] : entries) sorted.push_back(entry);
  return sorted;
}

}  // namespace

idl::Document Model::ToDocument(std::vector<std::string> sources) const {
  return idl::Document{std::move(sources), InSourceOrder(tasks),     InSourceOrder(actors),
                       driver,             init_options,             InNameOrder(structs),
                       InNameOrder(enums)};
}

}  // namespace goray::scan
