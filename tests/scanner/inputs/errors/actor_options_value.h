#include <memory>

#include <goray/annotations.h>
class Store {
 public:
  long Total() const;
};
struct GORAY_ACTORS Stores {
  GORAY_ACTOR_OPTIONS(R"({"max_restarts": -2})")
  std::unique_ptr<Store> Primary();
};
