// Enums in namespaces, in a header and in this .cpp, in parameters, results and fields.
#include <goray/goray.h>

#include <map>
#include <vector>

#include "colors.h"

namespace paint {
enum class Finish : int16_t { kMatte = -1, kGloss = 1 };

struct Coat {
  colors::Shade shade = colors::Shade::kLight;
  Finish finish = Finish::kMatte;
  std::vector<colors::Legacy> legacy;
};

struct GORAY_TASKS Painter {
  Coat Apply(colors::Shade shade, Finish finish) { return {shade, finish, {}}; }
  std::map<int64_t, colors::Legacy> Table(std::vector<Coat> coats) {
    return {{static_cast<int64_t>(coats.size()), colors::kRed}};
  }
};
}  // namespace paint
