// The Python tables the Native2Py fast path reads: with the GIL held, never writing,
// the same live dicts the Python handlers read, handed over by
// goray._handlers.install_fastpath through set_native2py:
//
//   handlers   _handlers._handlers, {int command: handler(data) -> (code, bytes)}: the
//              dispatcher's table. Commands 0, 1 and 3 are served here only while their
//              entry is the stock handler; a replaced handler gets every call.
//   stock      {0: _handlers._exe_python_local_task, 1: _handlers._exe_py_code,
//              3: _handlers._local_method_call}: the stock handlers (read once).
//   functions  _registry.function_tables().functions, {str name: callable}: what
//              @goray.local and @goray.remote registered.
//   imported   _registry.function_tables().imported, {(str name, False): callable}: the
//              functions _registry.find_function resolved by import (dotted names).
//              find_function(name) is functions[name], else imported[(name, False)],
//              else an import (left to the Python code here); _handlers._fast_target
//              gives the key.
//   instances  _handlers._instances, {int id: instance}: the local instances of
//              CreateLocalClassInstance (command 2) that LocalMethodCall (3) calls.
//
// Only plain Python functions found there are called here; anything else (a builtin,
// a callable object, a missing name) goes to the Python handler. A task's function is
// remembered per dict version (dict_versions.h) of `functions` and `imported`, and the
// stock-handler check per version of `handlers`, so any change to one is seen on the
// next call.
#pragma once

#include "common.h"

namespace goray::fastpath {

struct CallTarget;

// The command keys 0..3. False with a Python error set.
bool tables_init();

// set_native2py's tables (dicts; `stock` holds commands 0, 1, 3). False with a Python
// error set, and nothing replaced, when a stock handler is missing.
bool set_tables(PyObject *handlers, PyObject *stock, PyObject *functions, PyObject *imported,
                PyObject *instances);
// Drops the reference to the handler table (set_dispatcher installed a new
// dispatcher whose handlers are not known yet).
void forget_handler_table();

// The stock handler of `cmd` (0, 1 or 3) is installed.
bool stock_handler(int cmd);

// _registry.find_function's answer for a command-0 target when it is a known plain
// Python function (a new reference), else NULL (no exception set): registered, else
// resolved by import before.
PyObject *registered_function(const CallTarget &target);

// The local instance of `instance_id` (a borrowed reference), or NULL (no exception).
PyObject *local_instance(PyObject *instance_id);

}  // namespace goray::fastpath
