// Every shape a result can have (none, one value, std::tuple of none, one and several,
// optional, struct, enum, containers of them) and enums as arguments, also inside a
// vector, a map and a struct: test_gen_stub_values.py checks each value a call returns
// against the stub's annotation, in-process and through Ray, and enums in map results
// and stream items.
#include <goray/goray.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

enum class Mode : int32_t { kOff = 0, kOn = 1, kAuto = -7 };

struct Item {
  std::string name = "item";
  Mode mode = Mode::kOn;
  std::optional<double> weight;
  std::vector<Mode> history;
};

struct GORAY_TASKS Shapes {
  void Nothing() {}
  bool Flag() { return true; }
  int64_t Whole() { return 7; }
  double Real() { return 2.5; }
  std::string Text() { return "text"; }
  std::vector<uint8_t> Bytes() { return {1, 2, 255}; }
  std::chrono::system_clock::time_point When() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  }
  std::tuple<> NoValues() { return {}; }
  std::tuple<int64_t> OneValue() { return {42}; }
  std::tuple<Item> OneStruct() { return {Item{"one", Mode::kAuto, 1.5, {Mode::kOff}}}; }
  std::tuple<std::optional<std::string>> OneOptional(bool some) {
    if (some) return {"some"};
    return {std::nullopt};
  }
  std::tuple<int64_t, int64_t> SameTypes() { return {16 / 5, 16 % 5}; }
  std::tuple<std::string, Item, std::optional<int32_t>> MixedTypes() {
    return {"mixed", Item{}, std::nullopt};
  }
  std::optional<int64_t> Maybe(bool some) {
    if (some) return 5;
    return std::nullopt;
  }
  Item Struct() { return Item{"struct", Mode::kOff, std::nullopt, {Mode::kOn, Mode::kAuto}}; }
  Mode Enum() { return Mode::kAuto; }
  std::vector<Item> Items() { return {Item{}, Item{"second", Mode::kOff, 2.0, {}}}; }
  std::vector<Mode> Modes() { return {Mode::kOff, Mode::kAuto}; }
  std::map<std::string, Mode> ModeMap() { return {{"a", Mode::kOn}}; }
  std::pair<std::string, double> Pair() { return {"pair", 0.5}; }
  std::map<int64_t, std::vector<Item>> Nested() { return {{1, {Item{}}}, {2, {}}}; }

  // An enum per item, for goray.map, and a stream of them.
  Mode ModeOf(int64_t n) { return n == 0 ? Mode::kOff : n > 0 ? Mode::kOn : Mode::kAuto; }
  goray::Generator<Item> ItemStream(int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      // (Named: GCC 12 frees the strings of a braced aggregate temporary in a co_yield
      // twice; clang and a named value are fine.)
      Item item{"streamed", ModeOf(i), std::nullopt, {}};
      co_yield item;
    }
  }

  // Enums as arguments, echoed back.
  int64_t TakeMode(Mode mode) { return static_cast<int64_t>(mode); }
  std::vector<Mode> TakeModes(std::vector<Mode> modes) { return modes; }
  std::map<std::string, Mode> TakeModeMap(std::map<std::string, Mode> modes) { return modes; }
  Item TakeItem(Item item) { return item; }
};

class Box {
 public:
  explicit Box(Mode mode) : mode_(mode) {}
  void Set(Mode mode) { mode_ = mode; }
  Mode Get() const { return mode_; }
  std::tuple<> Clear() {
    mode_ = Mode::kOff;
    return {};
  }
  std::tuple<Mode> Single() const { return {mode_}; }
  std::tuple<Mode, Item> Both() const { return {mode_, Item{"box", mode_, std::nullopt, {}}}; }

 private:
  Mode mode_;
};

struct GORAY_ACTORS Actors {
  static std::unique_ptr<::Box> Box(Mode mode) { return std::make_unique<::Box>(mode); }
};
