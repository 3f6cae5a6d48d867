#include <goray/annotations.h>
class GORAY_ACTOR_OPTIONS(R"({"max_restarts": 1})") Ledger;
class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"max_restarts": 2})") Ledger {
 public:
  long Total() const;
};
