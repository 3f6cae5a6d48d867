// std::tuple inside another type is refused by the scan (a tuple is a function's several
// results only), naming the task and what to use instead.
#include <goray/goray.h>

#include <optional>
#include <string>
#include <tuple>

struct GORAY_TASKS Tasks {
  std::optional<std::tuple<int64_t, std::string>> Nested(int64_t n) {
    return std::make_tuple(n, std::string("n"));
  }
};
