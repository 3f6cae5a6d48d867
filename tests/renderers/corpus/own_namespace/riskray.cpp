// A C++ caller in the user's namespace reaches the wrappers as gen::..., and
// riskray::Portfolio stays the class. (Only function bodies name the wrappers: the scan
// runs before they exist.)
#include "riskray.h"

#include "riskray.goray.h"

namespace riskray {

double ScoreOnRay(double exposure) { return gen::Score(exposure).Remote().Get(); }

int64_t AddOnRay(int64_t amount) {
  gen::PortfolioHandle portfolio = gen::Portfolio(100).Remote();
  return portfolio.Add(amount).Remote().Get();
}

static_assert(sizeof(Portfolio) == sizeof(int64_t), "riskray::Portfolio is the user's class");

}  // namespace riskray
