// Py2Native RunTask / ActorMethodCall (docs/protocol.md §3) for in-process calls, the one
// codec route: golang_local_run_task(name, *args), actor_call(index, method, args,
// type_name) and call(command, index, name, args, callee). The units are framed here,
// Execute called with the GIL released and the native return block decoded here
// (unpack.h). The arguments are packed here (pack.h, arrays by address: arrays.h); a
// call with an argument this packer leaves to goray._codec (timestamps, subclasses, ints
// beyond 64 bits, refs, values it refuses...) has its arguments packed by goray._codec
// instead (set_py2native's pack_call, which raises its ArgumentErrors) and is sent here
// all the same. A non-zero code goes to goray.errors.error_from_reply; a reply this
// decoder leaves to goray._codec goes to _codec.unpack_result_block (which adopts the
// ext 71/72 arrays of replies). Keyword arguments and generator tasks are turned into a
// positional call and a LocalStream by the Python helpers set_py2native names.
#pragma once

#include "common.h"

namespace goray::fastpath {

// golang_local_run_task(name, *args, **kwargs): the native task's result, through the
// application's typed entry of the task when it has one (set_typed_tasks), else
// run_task_codec.
PyObject *fast_run_task(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
// run_task_codec(name, *args, **kwargs): the same through the codec path (msgpack,
// Execute) always.
PyObject *fast_run_task_codec(PyObject *, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);
// actor_call(index, method, args, type_name) -> the result of a method of native
// instance `index` (positional arguments; keywords and generator methods are the
// caller's).
PyObject *fast_actor_call(PyObject *, PyObject *const *args, Py_ssize_t nargs);
// call(command, index, name, args, callee) -> the result of any Py2Native command whose
// request is units(name, args block) and whose reply a native return block (MapTask,
// MapMethod...); `callee` names the callee in errors.
PyObject *fast_call(PyObject *, PyObject *const *args, Py_ssize_t nargs);
// set_py2native(load, keywords, task_stream, pack_call, error_from_reply,
// unpack_result_block): the Python helpers of the entry points (see module.cpp).
PyObject *fast_set_py2native(PyObject *, PyObject *args, PyObject *kwargs);
// set_stream_tasks(names_of): names_of() -> frozenset of the generator tasks, whose
// calls return set_py2native's task_stream(name, args); asked on the first call; None:
// none.
PyObject *fast_set_stream_tasks(PyObject *, PyObject *names_of);
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
