// The GIL for the callback, taken from any thread. Native threads that call Python keep
// their Python thread state between calls (creating one per call is most of the cost
// of a call from a C++ thread); it is deleted when the thread exits.
#pragma once

#include "common.h"

namespace goray::fastpath {

// The thread-exit hook that deletes kept thread states, and the exit hook that closes
// the callbacks (once, at module init, with the GIL).
bool thread_states_init();

// Holds the GIL for its lifetime, unless the interpreter is exiting (`refused()`). A
// thread unknown to Python gets a thread state that it keeps after the GIL is released
// (when the thread-exit hook exists).
//
// From Python's atexit time on, no callback takes the GIL: a thread that waits for it once
// CPython finalizes waits for ever on 3.14 (3.13 and earlier end the thread), and a C++
// destructor joining that thread at exit would hang the process. The exit hook closes the
// door, then lets the callbacks already waiting for the GIL run to their end.
class CallbackGil {
 public:
  CallbackGil();
  ~CallbackGil();
  CallbackGil(const CallbackGil &) = delete;
  CallbackGil &operator=(const CallbackGil &) = delete;
  bool refused() const { return refused_; }

 private:
  bool refused_ = false;
  bool fresh_ = false;
  PyGILState_STATE gil_{};
};

}  // namespace goray::fastpath
