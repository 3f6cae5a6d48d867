#include <cstdint>
#include <string>
#include <goray/annotations.h>
class GORAY_ACTOR Account {
 public:
  explicit Account(int64_t balance);
  explicit Account(std::string owner);
  Account(const Account&) = default;
  int64_t Balance() const;
};
