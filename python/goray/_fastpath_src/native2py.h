// The callback registered with RegisterCallback (docs/protocol.md §1, §3): takes the GIL
// from any thread (thread_states.h). Native2Py commands 0 (ExePythonLocalTask) and 3
// (LocalMethodCall) are served here when the call is an ordinary one (see serve_call
// in native2py.cpp); command 1 (ExePyCode) has its args decoded here and the rest done
// by _handlers._run_py_code. Anything else, and anything this code does not handle
// exactly like the Python handlers, goes to _handlers.dispatch with (request,
// memoryview of the input), whose (code, bytes) reply is returned malloc'ed
// (replies.h); any failure is code 1 with text, never an exception in C.
#pragma once

#include "common.h"

namespace goray::fastpath {

// callback_address() -> int: the C callback to pass to RegisterCallback.
PyObject *fast_callback_address(PyObject *, PyObject *);
// set_dispatcher(dispatch, error_reply): what the callback calls. The C-served commands
// stand for this dispatcher's handlers only once set_native2py says which.
PyObject *fast_set_dispatcher(PyObject *, PyObject *args);
// set_native2py(handlers, stock, resolve, functions, imported, instances, pack_result,
// run_py_code): the tables (tables.h) and helpers of the commands served in C.
PyObject *fast_set_native2py(PyObject *, PyObject *args, PyObject *kwargs);

}  // namespace goray::fastpath
