#include <goray/annotations.h>
class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"name": "ledger"})") Ledger {
 public:
  long Total() const;
};
