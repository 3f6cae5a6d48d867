// The GIL for the callback and the thread states native threads keep (see
// thread_states.h).
#include "thread_states.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <thread>

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

// Set by the exit hook: no callback takes the GIL any more. `g_entering` counts the
// callbacks between their check of it and the GIL (sequentially consistent, both: a
// callback that saw it open is counted before the hook reads the count).
std::atomic<bool> g_closed{false};
std::atomic<int> g_entering{0};

extern "C" void release_pinned(void *value) {
  PyThreadState *state = static_cast<PyThreadState *>(value);
  if (state == nullptr || g_closed.load() || !Py_IsInitialized() || interpreter_finalizing()) {
    return;  // at exit: the process frees it
  }
  PyEval_RestoreThread(state);
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
}

// Registered with atexit: runs before CPython finalizes, with the GIL.
PyObject *close_callbacks(PyObject *, PyObject *) {
  g_closed.store(true);
  while (g_entering.load() > 0) {  // let those already waiting for the GIL have it
    Py_BEGIN_ALLOW_THREADS
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    Py_END_ALLOW_THREADS
  }
  Py_RETURN_NONE;
}

PyMethodDef g_close_callbacks = {"_goray_close_callbacks", close_callbacks, METH_NOARGS,
                                 "goray: no callback from native threads after this"};

bool register_exit_hook() {
  PyObject *atexit = PyImport_ImportModule("atexit");
  if (atexit == nullptr) return false;
  PyObject *hook = PyCFunction_New(&g_close_callbacks, nullptr);
  PyObject *done = hook == nullptr ? nullptr : PyObject_CallMethod(atexit, "register", "O", hook);
  Py_XDECREF(done);
  Py_XDECREF(hook);
  Py_DECREF(atexit);
  return done != nullptr;
}

}  // namespace

bool thread_states_init() {
  if (!g_pinned_key_ready) {
    if (pthread_key_create(&g_pinned_key, release_pinned) == 0) g_pinned_key_ready = true;
  }
  static bool hooked = false;
  if (!hooked) hooked = register_exit_hook();
  return hooked;
}

CallbackGil::CallbackGil() {
  g_entering.fetch_add(1);
  if (g_closed.load() || !Py_IsInitialized()) {
    g_entering.fetch_sub(1);
    refused_ = true;
    return;
  }
  fresh_ = PyGILState_GetThisThreadState() == nullptr;
  gil_ = PyGILState_Ensure();
  g_entering.fetch_sub(1);
}

CallbackGil::~CallbackGil() {
  if (refused_) return;
  if (fresh_ && g_pinned_key_ready && pthread_setspecific(g_pinned_key, PyThreadState_Get()) == 0) {
    PyEval_SaveThread();  // keeps the state; release_pinned deletes it at thread exit
  } else {
    PyGILState_Release(gil_);
  }
}

}  // namespace goray::fastpath
