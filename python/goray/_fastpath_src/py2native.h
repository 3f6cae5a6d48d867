// Py2Native RunTask / ActorMethodCall (docs/protocol.md §3) done in C for in-process
// calls: golang_local_run_task(name, *args) and actor_call(index, method, args,
// type_name). The arguments are packed here (pack.h, arrays by address: arrays.h), the
// units framed, Execute called with the GIL released and the native return block
// decoded here (unpack.h). Arguments this code does not pack exactly like goray._codec
// send the whole call to the Python implementation (set_py2native); a non-zero code
// goes to goray.errors.error_from_reply; a reply this code does not decode exactly
// like goray._codec goes to _codec.unpack_result_block (which adopts the ext 71/72
// arrays of replies).
#pragma once

#include "common.h"

namespace goray::fastpath {

// The FALLBACK sentinel of actor_call, added to the module. False with an error set.
bool py2native_init(PyObject *module);

// golang_local_run_task(name, *args): the native task's result, through the application's
// typed entry of the task when it has one (set_typed_tasks), else run_task_codec.
PyObject *fast_run_task(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
// run_task_codec(name, *args): the same through the codec path (msgpack, Execute) always.
PyObject *fast_run_task_codec(PyObject *, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
// actor_call(index, method, args, type_name) -> the result, or FALLBACK when the
// call must go the Python way (nothing was sent).
PyObject *fast_actor_call(PyObject *, PyObject *const *args, Py_ssize_t nargs);
// set_py2native(run_task, error_from_reply, unpack_result_block): the Python code the
// entry points fall back to.
PyObject *fast_set_py2native(PyObject *, PyObject *args);
// set_python_tasks(names_of): names_of() -> frozenset of the tasks golang_local_run_task
// hands to the Python implementation (generator tasks), asked on its first call; None:
// none.
PyObject *fast_set_python_tasks(PyObject *, PyObject *names_of);
// set_result_converters(table_of): table_of() -> dict of task name -> the function
// golang_local_run_task applies to that task's result (enum members), asked on its first
// call; None: none.
PyObject *fast_set_result_converters(PyObject *, PyObject *table_of);
// set_typed_tasks(table_of): table_of() -> dict of task name -> its typed entry, asked on
// the first call that finds a library; None: none.
PyObject *fast_set_typed_tasks(PyObject *, PyObject *table_of);
// set_commands(run_task, actor_call, arrays=False): the commands of the entry points
// (RunTask/ActorMethodCall 4/6, or RunTaskForPython/ActorMethodCallForPython 34/35
// once the library speaks arrays), and whether ndarray arguments go by address.
PyObject *fast_set_commands(PyObject *, PyObject *args);

}  // namespace goray::fastpath
