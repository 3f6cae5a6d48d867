// The GIL for the callback and the thread states native threads keep (see
// thread_states.h).
#include "thread_states.h"

#include <pthread.h>

namespace goray::fastpath {
namespace {

// Thread states of native threads that called Python, deleted at thread exit.
pthread_key_t g_pinned_key;
bool g_pinned_key_ready = false;

bool interpreter_finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

extern "C" void release_pinned(void *value) {
  PyThreadState *state = static_cast<PyThreadState *>(value);
  if (state == nullptr || !Py_IsInitialized() || interpreter_finalizing()) return;
  PyEval_RestoreThread(state);
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
}

}  // namespace

void thread_states_init() {
  if (!g_pinned_key_ready) {
    if (pthread_key_create(&g_pinned_key, release_pinned) == 0) g_pinned_key_ready = true;
  }
}

CallbackGil::CallbackGil()
    : fresh_(PyGILState_GetThisThreadState() == nullptr), gil_(PyGILState_Ensure()) {}

CallbackGil::~CallbackGil() {
  if (fresh_ && g_pinned_key_ready && pthread_setspecific(g_pinned_key, PyThreadState_Get()) == 0) {
    PyEval_SaveThread();  // keeps the state; release_pinned deletes it at thread exit
  } else {
    PyGILState_Release(gil_);
  }
}

}  // namespace goray::fastpath
