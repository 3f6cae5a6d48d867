// Nested and inline namespaces; a struct declared in this .cpp inside a namespace.
#include "nested.h"

namespace outer {
namespace detail {
struct Local {
  int64_t n = 0;
  inner::Point where;
};
}  // namespace detail

struct GORAY_TASKS More {
  detail::Local Make(int64_t n) { return {n, {}}; }
};
}  // namespace outer
