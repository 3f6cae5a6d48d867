#include <goray/annotations.h>
class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"max_concurrency": 4})") Ledger {
 public:
  long Total() const;
};
