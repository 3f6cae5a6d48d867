#include <goray/annotations.h>
class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"max_restart": 3})") Ledger {
 public:
  long Total() const;
};
