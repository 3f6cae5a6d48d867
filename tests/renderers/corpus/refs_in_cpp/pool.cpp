// Typed handles to an actor class declared in this .cpp (the generated header cannot see
// it: the wrappers take and return the generated handle), refs in a struct declared here
// (no wrapper for the task taking it), and a caller of the wrappers in the same file.
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <goray/goray.h>

#include "refs_app.goray.h"

namespace pool {

class Worker {
 public:
  int64_t Work(int64_t n) { return n * 2; }
  int64_t Help(goray::ActorHandleOf<Worker> peer, goray::Future<int64_t> n) {
    return goray::Get<int64_t>(peer.RemoteCall("Work", n.Get()));
  }
};

struct Batch {
  std::vector<goray::Future<int64_t>> items;
  goray::ActorHandleOf<Worker> worker;
};

}  // namespace pool

struct GORAY_ACTORS PoolActors {
  static std::unique_ptr<pool::Worker> Worker() { return std::make_unique<pool::Worker>(); }
};

struct GORAY_TASKS PoolTasks {
  static goray::ActorHandleOf<pool::Worker> Hire() {
    return goray::ActorHandleOf<pool::Worker>(goray::NewActor("Worker"));
  }
  static std::vector<goray::ActorHandleOf<pool::Worker>> Team(std::vector<goray::ObjectRef> seeds) {
    return std::vector<goray::ActorHandleOf<pool::Worker>>(seeds.size(), Hire());
  }
  static int64_t Run(pool::Batch batch) { return static_cast<int64_t>(batch.items.size()); }
  static int64_t Delegate(goray::ActorHandleOf<pool::Worker> worker, goray::Future<int64_t> n) {
    return goray::Get<int64_t>(worker.RemoteCall("Work", n.Get()));
  }
};

namespace {

[[maybe_unused]] void UseWrappers(goray::Future<int64_t> n) {
  refs_app::WorkerHandle hired = refs_app::Hire().Remote().Get();
  std::vector<refs_app::WorkerHandle> team = refs_app::Team(std::vector<goray::ObjectRef>{n})
                                                 .Remote()
                                                 .Get();
  goray::Future<int64_t> done = refs_app::Delegate(hired, n).Remote();
  hired.Help(team.front(), done).Remote();
  refs_app::WorkerHandle made = refs_app::Worker().Remote();
  // The header cannot see pool::Worker: wrap a goray::ActorHandleOf by hand.
  goray::ActorHandleOf<pool::Worker> plain(made);
  refs_app::Delegate(refs_app::WorkerHandle(plain), n).Remote();
}

}  // namespace
