// Ray options for remote calls and actors: goray::Option("num_cpus", 1).
// Each becomes one key of the call's JSON options (docs/protocol.md §2),
// passed by the driver straight to Ray as a keyword argument.
#pragma once

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace goray {

// JSON text to use as an option value as is: Option("runtime_env", RawJson{R"({"pip": []})"}).
struct RawJson {
  std::string text;
};

namespace detail {

// Appends `text` as a JSON string (escaping what JSON requires).
void AppendJsonString(std::string& json, std::string_view text);
// Throws std::invalid_argument unless `text` is one valid JSON value.
void CheckJson(std::string_view text, std::string_view what);

template <class T>
struct IsStringMap : std::false_type {};
template <class V, class... Rest>
struct IsStringMap<std::map<std::string, V, Rest...>> : std::true_type {};
template <class V, class... Rest>
struct IsStringMap<std::unordered_map<std::string, V, Rest...>> : std::true_type {};

template <class T>
struct IsVector : std::false_type {};
template <class V, class A>
struct IsVector<std::vector<V, A>> : std::true_type {};

// Writes a C++ value as JSON: bool, numbers, strings, RawJson, std::optional
// (null when empty), vectors, and maps with string keys, nested freely.
template <class T>
void AppendJson(std::string& json, const T& value) {
  using Plain = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<Plain, bool>) {
    json += value ? "true" : "false";
  } else if constexpr (std::is_integral_v<Plain>) {
    json += std::to_string(value);
  } else if constexpr (std::is_floating_point_v<Plain>) {
    if (!std::isfinite(value)) throw std::invalid_argument("goray: an option value must be finite");
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", static_cast<double>(value));
    json += text;
  } else if constexpr (std::is_convertible_v<const Plain&, std::string_view>) {
    AppendJsonString(json, std::string_view(value));
  } else if constexpr (std::is_same_v<Plain, RawJson>) {
    CheckJson(value.text, "RawJson option value");
    json += value.text;
  } else if constexpr (std::is_same_v<Plain, std::nullptr_t>) {
    json += "null";
  } else if constexpr (IsStringMap<Plain>::value) {
    json += '{';
    bool first = true;
    for (const auto& [key, item] : value) {
      if (!first) json += ',';
      first = false;
      AppendJsonString(json, key);
      json += ':';
      AppendJson(json, item);
    }
    json += '}';
  } else if constexpr (IsVector<Plain>::value) {
    json += '[';
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i != 0) json += ',';
      AppendJson(json, value[i]);
    }
    json += ']';
  } else {
    static_assert(sizeof(Plain) == 0,
                  "goray::Option: use bool, a number, a string, std::vector, std::map<std::string, "
                  "...> or goray::RawJson");
  }
}

template <class T>
struct IsOptional : std::false_type {};
template <class V>
struct IsOptional<std::optional<V>> : std::true_type {};

}  // namespace detail

// One Ray option. Options follow the arguments of a call.
class Option {
 public:
  template <class T>
  Option(std::string key, const T& value) : key_(std::move(key)) {
    if constexpr (detail::IsOptional<T>::value) {
      if (value) {
        detail::AppendJson(json_, *value);
      } else {
        json_ = "null";
      }
    } else {
      detail::AppendJson(json_, value);
    }
  }

  const std::string& key() const noexcept { return key_; }
  const std::string& json() const noexcept { return json_; }  // the value as JSON text

 private:
  std::string key_;
  std::string json_;
};

namespace detail {
// `{` followed by one `"key":value,` member per option: the caller appends its own
// keys after them and closes the object (its keys then win in the driver's parser).
std::string OpenJsonWithOptions(const std::vector<Option>& options);
}  // namespace detail

}  // namespace goray
