// The GIL for the callback, taken from any thread. Native threads that call Python keep
// their Python thread state between calls (creating one per call is most of the cost
// of a call from a C++ thread); it is deleted when the thread exits.
#pragma once

#include "common.h"

namespace goray::fastpath {

// The thread-exit hook that deletes kept thread states (once, at module init).
void thread_states_init();

// Holds the GIL for its lifetime. A thread unknown to Python gets a thread state that
// it keeps after the GIL is released (when the thread-exit hook exists).
class CallbackGil {
 public:
  CallbackGil();
  ~CallbackGil();
  CallbackGil(const CallbackGil &) = delete;
  CallbackGil &operator=(const CallbackGil &) = delete;

 private:
  bool fresh_;
  PyGILState_STATE gil_;
};

}  // namespace goray::fastpath
