// Py2Native calls done in C (see py2native.h).
#include "py2native.h"

#include "abi.h"
#include "arrays.h"
#include "buffer.h"
#include "counters.h"
#include "object_list.h"
#include "pack.h"
#include "unpack.h"

namespace goray::fastpath {
namespace {

// The Python helpers of the entry points (set_py2native).
struct Hooks {
  PyObject *load = nullptr;              // () -> the library: _ffi.get_library (binds it here)
  PyObject *keywords = nullptr;          // (name, /, *args, **kwargs) -> tuple of positional args
  PyObject *task_stream = nullptr;       // (name, args) -> a generator task's LocalStream
  PyObject *pack_call = nullptr;         // (name, args, callee) -> (payload, keep): goray._codec
  PyObject *error_from_reply = nullptr;  // errors.error_from_reply(code, reply, callee)
  PyObject *unpack_result = nullptr;     // _codec.unpack_result_block(reply, callee)
};
Hooks g_hooks;
// The commands of golang_local_run_task and actor_call: RunTask/ActorMethodCall (4/6),
// or RunTaskForPython/ActorMethodCallForPython (34/35) once the library speaks arrays.
long long g_run_task_command = detail::kServeRunTask;
unsigned long long g_actor_call_command = detail::kServeActorMethodCall;
// () -> frozenset: the generator tasks, whose calls return an iterator
// (g_hooks.task_stream); asked once, on the first call.
PyObject *g_stream_tasks_of = nullptr;
PyObject *g_stream_tasks = nullptr;  // its answer
// () -> dict: task name -> the function golang_local_run_task applies to its result
// (tasks whose results hold enums: goray._enums makes their members); asked once.
PyObject *g_result_converters_of = nullptr;
PyObject *g_result_converters = nullptr;  // its answer
// () -> dict: task name -> the application's typed entry of the task (goray._entries);
// asked on the first call that finds a library, and kept.
PyObject *g_typed_tasks_of = nullptr;
PyObject *g_typed_tasks = nullptr;  // its answer

// Frames units(name, args block) in `buffer`. False when an argument is left to
// goray._codec (no exception set): the call's arguments are then packed there.
bool frame_call(Buffer &buffer, PyObject *name, PyObject *const *args, Py_ssize_t nargs,
                ArrayPins &pins) {
  Py_ssize_t name_size = 0;
  const char *name_bytes = PyUnicode_AsUTF8AndSize(name, &name_size);
  if (name_bytes == nullptr) {
    PyErr_Clear();
    return false;
  }
  try {
    buffer.put_u64(static_cast<uint64_t>(name_size));
    buffer.write(name_bytes, static_cast<size_t>(name_size));
    size_t length_at = buffer.size();
    buffer.put_u64(0);
    Packer packer(buffer);
    for (Py_ssize_t i = 0; i < nargs; ++i) {
      if (!pack_object(packer, buffer, args[i], 0, &pins)) return false;
    }
    buffer.patch_u64(length_at, static_cast<uint64_t>(buffer.size() - length_at - 8));
  } catch (...) {
    PyErr_Clear();
    return false;
  }
  return true;
}

// Runs Execute on a framed call (`size` bytes at `data`) and returns what a Python caller
// gets: the decoded native return block, or the exception error_from_reply(code, reply,
// callee) raised. `callee` is built on failure only.
template <class Callee>
PyObject *execute_call(long long request, const char *data, size_t size, Callee callee) {
  long long out_len = 0;
  long long code = 0;
  void *out;
  void *in_data = const_cast<char *>(data);  // never empty: the name unit's header at least
  Py_BEGIN_ALLOW_THREADS
  out = g_execute(request, in_data, static_cast<long long>(size), &out_len, &code);
  Py_END_ALLOW_THREADS
  if (out == nullptr && out_len != 0) {
    PyErr_Format(PyExc_RuntimeError, "Execute returned NULL with length %lld", out_len);
    return nullptr;
  }
  const char *reply = out != nullptr ? static_cast<const char *>(out) : "";
  size_t reply_size = out != nullptr && out_len > 0 ? static_cast<size_t>(out_len) : 0;
  PyObject *result = nullptr;
  if (code != detail::kSuccess) {
    PyObject *bytes = PyBytes_FromStringAndSize(reply, static_cast<Py_ssize_t>(reply_size));
    PyObject *name = bytes != nullptr ? callee() : nullptr;
    PyObject *error = nullptr;
    if (name != nullptr) {
      PyObject *code_object = PyLong_FromLongLong(code);
      if (code_object != nullptr) {
        PyObject *call_args[3] = {code_object, bytes, name};
        error = PyObject_Vectorcall(g_hooks.error_from_reply, call_args, 3, nullptr);
        Py_DECREF(code_object);
      }
    }
    Py_XDECREF(bytes);
    Py_XDECREF(name);
    if (error != nullptr) {
      // `raise error_from_reply(...)`
      PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(error)), error);
      Py_DECREF(error);
    }
  } else {
    ObjectList values;
    if (decode_block(reply, reply_size, values)) {
      if (values.size() == 0) {
        result = Py_NewRef(Py_None);
      } else if (values.size() == 1) {
        result = Py_NewRef(values[0]);
      } else {
        result = PyList_New(static_cast<Py_ssize_t>(values.size()));
        if (result != nullptr) {
          for (size_t i = 0; i < values.size(); ++i) {
            PyList_SET_ITEM(result, static_cast<Py_ssize_t>(i), Py_NewRef(values[i]));
          }
        }
      }
    } else {
      // Arrays (ext 71/72), timestamps, ...: decoded by goray._codec, which also adopts
      // (or releases) every ext 72 buffer of the reply.
      ++g_counters.py2native_codec_result;
      PyObject *bytes = PyBytes_FromStringAndSize(reply, static_cast<Py_ssize_t>(reply_size));
      result = call_owned(g_hooks.unpack_result, bytes, bytes != nullptr ? callee() : nullptr);
    }
  }
  if (out != nullptr) g_free(out);
  return result;
}

// Sends units(name, args) as `request` and returns its result (see execute_call). The
// arguments are packed here, or all of them by goray._codec when this packer leaves one
// to it (g_hooks.pack_call raises its ArgumentError, naming `callee`).
template <class Callee>
PyObject *send_call(long long request, PyObject *name, PyObject *const *args, Py_ssize_t nargs,
                    Callee callee) {
  {
    ArrayPins pins;  // outlives the call: borrowed arrays point into these buffers
    Buffer buffer;
    if (frame_call(buffer, name, args, nargs, pins)) {
      ++g_counters.py2native_fast;
      return execute_call(request, buffer.data(), buffer.size(), callee);
    }
  }
  ++g_counters.py2native_codec_args;
  PyObject *tuple = PyTuple_New(nargs);
  if (tuple == nullptr) return nullptr;
  for (Py_ssize_t i = 0; i < nargs; ++i) PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
  PyObject *callee_name = callee();
  PyObject *packed = nullptr;
  if (callee_name != nullptr) {
    PyObject *call_args[3] = {name, tuple, callee_name};
    packed = PyObject_Vectorcall(g_hooks.pack_call, call_args, 3, nullptr);
    Py_DECREF(callee_name);
  }
  Py_DECREF(tuple);
  if (packed == nullptr) return nullptr;
  // (payload, keep): keep holds what borrowed arrays point to, alive until Execute returns.
  if (!PyTuple_Check(packed) || PyTuple_GET_SIZE(packed) != 2 ||
      !PyBytes_Check(PyTuple_GET_ITEM(packed, 0))) {
    PyErr_Format(PyExc_TypeError, "set_py2native's pack_call returned a %s, not (bytes, keep)",
                 Py_TYPE(packed)->tp_name);
    Py_DECREF(packed);
    return nullptr;
  }
  PyObject *payload = PyTuple_GET_ITEM(packed, 0);
  PyObject *result = execute_call(request, PyBytes_AS_STRING(payload),
                                  static_cast<size_t>(PyBytes_GET_SIZE(payload)), callee);
  Py_DECREF(packed);
  return result;
}

bool hooks_set() {
  if (g_hooks.load != nullptr) return true;
  PyErr_SetString(PyExc_RuntimeError, "goray._fastpath: set_py2native was not called");
  return false;
}

// The library bound (bind): asks g_hooks.load for it the first time (it loads it from
// GORAY_BIN_PATH, raising when there is none). False with an exception set.
bool library_bound() {
  if (g_execute != nullptr) return true;
  PyObject *library = PyObject_CallNoArgs(g_hooks.load);
  if (library == nullptr) return false;
  Py_DECREF(library);
  if (g_execute != nullptr) return true;
  PyErr_SetString(PyExc_RuntimeError, "goray._fastpath: the loaded library is not bound");
  return false;
}

// TypeError "the <what> name must be a str, got <type>" unless `name` is a str.
bool is_name(PyObject *name, const char *what) {
  if (PyUnicode_Check(name)) return true;
  PyErr_Format(PyExc_TypeError, "the %s name must be a str, got %s", what, Py_TYPE(name)->tp_name);
  return false;
}

// The request word of `command` for instance `index` (command | index << 10, as the
// signed word Execute takes). False with an exception set when `index` is not an
// instance index.
bool request_word(unsigned long long command, PyObject *index_object, long long *request) {
  unsigned long long index = PyLong_Check(index_object) ? PyLong_AsUnsignedLongLong(index_object)
                                                        : static_cast<unsigned long long>(-1);
  if (index >= kIndexLimit) {
    PyErr_Clear();  // (an OverflowError for a negative int)
    PyErr_Format(PyExc_ValueError, "%R is not a native instance index (0 to 2**%d - 1)",
                 index_object, 64 - detail::kRequestCommandBits);
    return false;
  }
  *request = static_cast<long long>(command | (index << detail::kRequestCommandBits));
  return true;
}

// What `ask()` answers (borrowed), asked on the first use and kept in `answer`; null with
// an exception set when the call fails or its answer is not a `kind` (`fits` says).
PyObject *asked_once(PyObject *ask, PyObject *&answer, bool (*fits)(PyObject *),
                     const char *what, const char *kind) {
  if (answer != nullptr) return answer;
  PyObject *made = PyObject_CallNoArgs(ask);
  if (made == nullptr) return nullptr;
  if (!fits(made)) {
    PyErr_Format(PyExc_TypeError, "%s is a %s, not a %s", what, Py_TYPE(made)->tp_name, kind);
    Py_DECREF(made);
    return nullptr;
  }
  if (answer == nullptr) {
    answer = made;
  } else {
    Py_DECREF(made);  // another thread asked meanwhile (the call released the GIL)
  }
  return answer;
}

// 1 when task `name` is a generator task (set_stream_tasks), 0 when not, -1 with an
// exception set when the names cannot be had.
int is_stream_task(PyObject *name) {
  if (g_stream_tasks_of == nullptr) return 0;
  if (asked_once(g_stream_tasks_of, g_stream_tasks,
                 [](PyObject *names) { return PyAnySet_Check(names) != 0; },
                 "set_stream_tasks: the names", "set") == nullptr) {
    return -1;
  }
  if (PySet_GET_SIZE(g_stream_tasks) == 0) return 0;
  return PySet_Contains(g_stream_tasks, name);
}

// `result` (a new reference, or null) as the task's caller gets it: through its
// converter when set_result_converters names one for `name`.
PyObject *converted(PyObject *name, PyObject *result) {
  if (result == nullptr || g_result_converters_of == nullptr) return result;
  if (asked_once(g_result_converters_of, g_result_converters,
                 [](PyObject *table) { return PyDict_Check(table) != 0; },
                 "set_result_converters: the table", "dict") == nullptr) {
    Py_DECREF(result);
    return nullptr;
  }
  if (PyDict_GET_SIZE(g_result_converters) == 0) return result;
  PyObject *converter = PyDict_GetItemWithError(g_result_converters, name);  // borrowed
  if (converter == nullptr) {
    if (PyErr_Occurred()) {
      Py_DECREF(result);
      return nullptr;
    }
    return result;
  }
  PyObject *made = PyObject_CallOneArg(converter, result);
  Py_DECREF(result);
  return made;
}

// The typed entry of task `name` (borrowed), or null: none, or none known yet (asking
// failed, as it does before a library is loaded: asked again on the next call).
PyObject *typed_entry(PyObject *name) {
  if (g_typed_tasks_of == nullptr) return nullptr;
  if (g_typed_tasks == nullptr) {
    PyObject *made = PyObject_CallNoArgs(g_typed_tasks_of);
    if (made == nullptr || !PyDict_Check(made)) {
      Py_XDECREF(made);
      PyErr_Clear();
      return nullptr;
    }
    g_typed_tasks = made;
  }
  if (PyDict_GET_SIZE(g_typed_tasks) == 0) return nullptr;
  PyObject *entry = PyDict_GetItemWithError(g_typed_tasks, name);  // borrowed
  if (entry == nullptr) PyErr_Clear();
  return entry;
}

// Task `name` with positional arguments, the library bound: a generator task's
// LocalStream, else its result (enums made members).
PyObject *run_positional(PyObject *name, PyObject *const *args, Py_ssize_t nargs) {
  int stream = is_stream_task(name);
  if (stream < 0) return nullptr;
  if (stream == 1) {
    PyObject *tuple = PyTuple_New(nargs);
    if (tuple == nullptr) return nullptr;
    for (Py_ssize_t i = 0; i < nargs; ++i) PyTuple_SET_ITEM(tuple, i, Py_NewRef(args[i]));
    return call_owned(g_hooks.task_stream, Py_NewRef(name), tuple);
  }
  return converted(name, send_call(g_run_task_command, name, args, nargs,
                                   [name] { return Py_NewRef(name); }));
}

}  // namespace

// The last task name golang_local_run_task called typed, and its entry's C function: a
// caller's name is most often the same str object call after call (a constant).
struct LastTyped {
  PyObject *name = nullptr;  // strong references, replaced together
  PyObject *entry = nullptr;
  PyObject *(*function)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *) = nullptr;
  PyObject *self = nullptr;
};
LastTyped g_last_typed;

PyObject *fast_run_task(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
  if (nargs >= 1) {
    PyObject *name = args[0];
    if (name == g_last_typed.name) {
      return g_last_typed.function(g_last_typed.self, args + 1, nargs - 1, kwnames);
    }
    PyObject *entry = PyUnicode_CheckExact(name) ? typed_entry(name) : nullptr;
    if (entry != nullptr) {
      if (PyCFunction_Check(entry) &&
          (PyCFunction_GET_FLAGS(entry) & (METH_FASTCALL | METH_KEYWORDS)) ==
              (METH_FASTCALL | METH_KEYWORDS)) {
        // The entries' functions: called as CPython would, without its dispatch.
        Py_INCREF(name);
        Py_INCREF(entry);
        PyObject *old_name = g_last_typed.name;
        PyObject *old_entry = g_last_typed.entry;
        g_last_typed.name = name;
        g_last_typed.entry = entry;
        g_last_typed.function = reinterpret_cast<PyObject *(*)(PyObject *, PyObject *const *, Py_ssize_t,
                                                                PyObject *)>(
            reinterpret_cast<void (*)()>(PyCFunction_GET_FUNCTION(entry)));
        g_last_typed.self = PyCFunction_GET_SELF(entry);
        Py_XDECREF(old_name);
        Py_XDECREF(old_entry);
        return g_last_typed.function(g_last_typed.self, args + 1, nargs - 1, kwnames);
      }
      // args[0] is ours to borrow (the name): PY_VECTORCALL_ARGUMENTS_OFFSET says so.
      return PyObject_Vectorcall(entry, args + 1,
                                 static_cast<size_t>(nargs - 1) | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                 kwnames);
    }
  }
  return fast_run_task_codec(module, args, nargs, kwnames);
}

PyObject *fast_run_task_codec(PyObject *, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
  if (!hooks_set()) return nullptr;
  if (nargs < 1) {
    PyErr_SetString(PyExc_TypeError,
                    "golang_local_run_task() missing 1 required positional argument: 'name'");
    return nullptr;
  }
  PyObject *name = args[0];
  if (!library_bound() || !is_name(name, "task")) return nullptr;
  if (kwnames == nullptr || PyTuple_GET_SIZE(kwnames) == 0) {
    return run_positional(name, args + 1, nargs - 1);
  }
  // Keyword arguments: resolved to positions by goray._keywords (the library's
  // parameter names), then the same call.
  PyObject *positional = PyObject_Vectorcall(g_hooks.keywords, args, static_cast<size_t>(nargs), kwnames);
  if (positional == nullptr) return nullptr;
  PyObject *result = nullptr;
  if (PyTuple_Check(positional)) {
    result = run_positional(name, &PyTuple_GET_ITEM(positional, 0), PyTuple_GET_SIZE(positional));
  } else {
    PyErr_Format(PyExc_TypeError, "set_py2native's keywords returned a %s, not a tuple",
                 Py_TYPE(positional)->tp_name);
  }
  Py_DECREF(positional);
  return result;
}

PyObject *fast_actor_call(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 4 || !PyTuple_Check(args[2])) {
    PyErr_SetString(PyExc_TypeError, "actor_call(index, method, args: tuple, type_name)");
    return nullptr;
  }
  PyObject *method = args[1];
  PyObject *type_name = args[3];
  if (!hooks_set() || !is_name(method, "method") || !is_name(type_name, "actor type")) {
    return nullptr;
  }
  long long request = 0;
  if (!request_word(g_actor_call_command, args[0], &request) || !library_bound()) return nullptr;
  PyObject *call_args = args[2];
  return send_call(request, method, &PyTuple_GET_ITEM(call_args, 0), PyTuple_GET_SIZE(call_args),
                   [type_name, method] { return PyUnicode_FromFormat("%U.%U", type_name, method); });
}

PyObject *fast_call(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 5 || !PyTuple_Check(args[3]) || !PyUnicode_Check(args[4])) {
    PyErr_SetString(PyExc_TypeError, "call(command, index, name, args: tuple, callee: str)");
    return nullptr;
  }
  long long command = PyLong_AsLongLong(args[0]);
  if (command == -1 && PyErr_Occurred()) return nullptr;
  if (command < 0 || command >= kCommandLimit) {
    PyErr_Format(PyExc_ValueError, "call: commands are 0..%lld", kCommandLimit - 1);
    return nullptr;
  }
  PyObject *name = args[2];
  PyObject *callee = args[4];
  if (!hooks_set() || !is_name(name, "task")) return nullptr;
  long long request = 0;
  if (!request_word(static_cast<unsigned long long>(command), args[1], &request) ||
      !library_bound()) {
    return nullptr;
  }
  PyObject *call_args = args[3];
  return send_call(request, name, &PyTuple_GET_ITEM(call_args, 0), PyTuple_GET_SIZE(call_args),
                   [callee] { return Py_NewRef(callee); });
}

PyObject *fast_set_py2native(PyObject *, PyObject *args, PyObject *kwargs) {
  static const char *names[] = {"load", "keywords", "task_stream", "pack_call",
                                "error_from_reply", "unpack_result_block", nullptr};
  PyObject *given[6];
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOO:set_py2native", const_cast<char **>(names),
                                   &given[0], &given[1], &given[2], &given[3], &given[4], &given[5])) {
    return nullptr;
  }
  for (PyObject *hook : given) {
    if (!PyCallable_Check(hook)) {
      PyErr_Format(PyExc_TypeError, "set_py2native: a %s is not callable", Py_TYPE(hook)->tp_name);
      return nullptr;
    }
  }
  replace(&g_hooks.keywords, given[1]);
  replace(&g_hooks.task_stream, given[2]);
  replace(&g_hooks.pack_call, given[3]);
  replace(&g_hooks.error_from_reply, given[4]);
  replace(&g_hooks.unpack_result, given[5]);
  replace(&g_hooks.load, given[0]);  // last: hooks_set() reads it
  Py_RETURN_NONE;
}

PyObject *fast_set_stream_tasks(PyObject *, PyObject *names_of) {
  if (names_of != Py_None && !PyCallable_Check(names_of)) {
    PyErr_SetString(PyExc_TypeError, "set_stream_tasks(names_of): a callable or None");
    return nullptr;
  }
  replace(&g_stream_tasks_of, names_of == Py_None ? nullptr : names_of);
  Py_CLEAR(g_stream_tasks);  // asked again on the next call
  Py_RETURN_NONE;
}

PyObject *fast_set_typed_tasks(PyObject *, PyObject *table_of) {
  if (table_of != Py_None && !PyCallable_Check(table_of)) {
    PyErr_SetString(PyExc_TypeError, "set_typed_tasks(table_of): a callable or None");
    return nullptr;
  }
  replace(&g_typed_tasks_of, table_of == Py_None ? nullptr : table_of);
  Py_CLEAR(g_typed_tasks);  // asked again on the next call
  Py_CLEAR(g_last_typed.name);
  Py_CLEAR(g_last_typed.entry);
  Py_RETURN_NONE;
}

PyObject *fast_set_result_converters(PyObject *, PyObject *table_of) {
  if (table_of != Py_None && !PyCallable_Check(table_of)) {
    PyErr_SetString(PyExc_TypeError, "set_result_converters(table_of): a callable or None");
    return nullptr;
  }
  replace(&g_result_converters_of, table_of == Py_None ? nullptr : table_of);
  Py_CLEAR(g_result_converters);  // asked again on the next call
  Py_RETURN_NONE;
}

PyObject *fast_set_commands(PyObject *, PyObject *args) {
  long long run_task, actor_call;
  int arrays = 0;
  if (!PyArg_ParseTuple(args, "LL|p:set_commands", &run_task, &actor_call, &arrays)) return nullptr;
  if (run_task < 0 || run_task >= kCommandLimit || actor_call < 0 || actor_call >= kCommandLimit) {
    PyErr_Format(PyExc_ValueError, "set_commands: commands are 0..%lld", kCommandLimit - 1);
    return nullptr;
  }
  g_run_task_command = run_task;
  g_actor_call_command = static_cast<unsigned long long>(actor_call);
  g_arrays_enabled = arrays != 0;
  Py_RETURN_NONE;
}

}  // namespace goray::fastpath
