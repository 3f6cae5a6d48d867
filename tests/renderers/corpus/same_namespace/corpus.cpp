// The application is named "corpus" and so is the user's namespace, and the actor's
// class is corpus::Corpus: goray-gen must refuse (the wrapper corpus::Corpus() would hide
// the class). shared_namespace/ is the same namespace without a clash.
#include <goray/goray.h>

#include <cstdint>
#include <string>

namespace corpus {

class GORAY_ACTOR Corpus {
 public:
  explicit Corpus(std::string name) : name_(std::move(name)) {}
  int64_t Size() const { return static_cast<int64_t>(name_.size()); }

 private:
  std::string name_;
};

}  // namespace corpus
