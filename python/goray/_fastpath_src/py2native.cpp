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

PyObject *g_fallback = nullptr;          // the FALLBACK sentinel of actor_call
PyObject *g_run_task_python = nullptr;   // the Python golang_local_run_task
PyObject *g_error_from_reply = nullptr;  // errors.error_from_reply(code, reply, callee)
PyObject *g_unpack_result = nullptr;     // _codec.unpack_result_block(reply, callee)
// The commands of golang_local_run_task and actor_call: RunTask/ActorMethodCall (4/6),
// or RunTaskForPython/ActorMethodCallForPython (34/35) once the library speaks arrays.
long long g_run_task_command = 4;
unsigned long long g_actor_call_command = 6;
// () -> frozenset: the tasks golang_local_run_task leaves to the Python implementation
// (generator tasks, whose result is an iterator); asked once, on the first call.
PyObject *g_python_tasks_of = nullptr;
PyObject *g_python_tasks = nullptr;  // its answer
// () -> dict: task name -> the function golang_local_run_task applies to its result
// (tasks whose results hold enums: goray._enums makes their members); asked once.
PyObject *g_result_converters_of = nullptr;
PyObject *g_result_converters = nullptr;  // its answer
// () -> dict: task name -> the application's typed entry of the task (goray._entries);
// asked on the first call that finds a library, and kept.
PyObject *g_typed_tasks_of = nullptr;
PyObject *g_typed_tasks = nullptr;  // its answer

// Frames units(name, args block) in `buffer`. False when an argument is not packed
// here exactly like goray._codec.pack_args would (no exception set).
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

// Runs Execute on a framed call and returns what a Python caller gets: the decoded
// native return block, or the exception error_from_reply(code, reply, callee) raised.
// `callee` is built on failure only.
template <class Callee>
PyObject *execute_call(long long request, Buffer &buffer, Callee callee) {
  long long out_len = 0;
  long long code = 0;
  void *out;
  void *in_data = buffer.data();  // never empty: the name unit's header at least
  Py_BEGIN_ALLOW_THREADS
  out = g_execute(request, in_data, static_cast<long long>(buffer.size()), &out_len, &code);
  Py_END_ALLOW_THREADS
  if (out == nullptr && out_len != 0) {
    PyErr_Format(PyExc_RuntimeError, "Execute returned NULL with length %lld", out_len);
    return nullptr;
  }
  const char *reply = out != nullptr ? static_cast<const char *>(out) : "";
  size_t reply_size = out != nullptr && out_len > 0 ? static_cast<size_t>(out_len) : 0;
  PyObject *result = nullptr;
  if (code != 0) {
    PyObject *bytes = PyBytes_FromStringAndSize(reply, static_cast<Py_ssize_t>(reply_size));
    PyObject *name = bytes != nullptr ? callee() : nullptr;
    PyObject *error = nullptr;
    if (name != nullptr) {
      PyObject *code_object = PyLong_FromLongLong(code);
      if (code_object != nullptr) {
        PyObject *call_args[3] = {code_object, bytes, name};
        error = PyObject_Vectorcall(g_error_from_reply, call_args, 3, nullptr);
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
      // Arrays (ext 71/72), timestamps, ...: decoded by the Python codec, which also
      // adopts (or releases) every ext 72 buffer of the reply.
      ++g_counters.py2native_result_fallback;
      PyObject *bytes = PyBytes_FromStringAndSize(reply, static_cast<Py_ssize_t>(reply_size));
      result = call_owned(g_unpack_result, bytes, bytes != nullptr ? callee() : nullptr);
    }
  }
  if (out != nullptr) g_free(out);
  return result;
}

bool py2native_ready() {
  return g_execute != nullptr && g_run_task_python != nullptr && g_error_from_reply != nullptr &&
         g_unpack_result != nullptr;
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

// True when task `name` goes to the Python implementation (set_python_tasks). When the
// names cannot be had, the Python implementation reports why.
bool served_by_python(PyObject *name) {
  if (g_python_tasks_of == nullptr) return false;
  if (asked_once(g_python_tasks_of, g_python_tasks,
                 [](PyObject *names) { return PyAnySet_Check(names) != 0; },
                 "set_python_tasks: the names", "set") == nullptr) {
    PyErr_Clear();
    return true;
  }
  if (PySet_GET_SIZE(g_python_tasks) == 0) return false;
  int found = PySet_Contains(g_python_tasks, name);
  if (found < 0) {
    PyErr_Clear();
    return true;
  }
  return found == 1;
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

}  // namespace

bool py2native_init(PyObject *module) {
  if (g_fallback == nullptr) {
    // A unique object: `actor_call(...) is FALLBACK`.
    g_fallback = PyObject_CallNoArgs(reinterpret_cast<PyObject *>(&PyBaseObject_Type));
    if (g_fallback == nullptr) return false;
  }
  if (PyModule_AddObject(module, "FALLBACK", Py_NewRef(g_fallback)) != 0) {
    Py_DECREF(g_fallback);
    return false;
  }
  return true;
}

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
  if (g_run_task_python == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "goray._fastpath: set_py2native was not called");
    return nullptr;
  }
  if (kwnames == nullptr && nargs >= 1 && PyUnicode_CheckExact(args[0]) && py2native_ready() &&
      !served_by_python(args[0])) {
    ArrayPins pins;  // outlives the call: borrowed arrays point into these buffers
    Buffer buffer;
    if (frame_call(buffer, args[0], args + 1, nargs - 1, pins)) {
      ++g_counters.py2native_fast;
      PyObject *name = args[0];
      return converted(name, execute_call(g_run_task_command, buffer,
                                          [name] { return Py_NewRef(name); }));
    }
  }
  // Whatever the C code does not handle exactly: the Python implementation, all of it.
  ++g_counters.py2native_fallback;
  return PyObject_Vectorcall(g_run_task_python, args, static_cast<size_t>(nargs), kwnames);
}

PyObject *fast_actor_call(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 4 || !PyTuple_CheckExact(args[2])) {
    PyErr_SetString(PyExc_TypeError, "actor_call(index, method, args: tuple, type_name)");
    return nullptr;
  }
  PyObject *method = args[1];
  PyObject *type_name = args[3];
  if (!py2native_ready() || !PyLong_CheckExact(args[0]) || !PyUnicode_CheckExact(method) ||
      !PyUnicode_CheckExact(type_name)) {
    ++g_counters.py2native_fallback;
    return Py_NewRef(g_fallback);
  }
  unsigned long long index = PyLong_AsUnsignedLongLong(args[0]);
  if ((index == static_cast<unsigned long long>(-1) && PyErr_Occurred()) ||
      index >= (1ULL << 54)) {
    PyErr_Clear();
    ++g_counters.py2native_fallback;
    return Py_NewRef(g_fallback);
  }
  ArrayPins pins;  // outlives the call: borrowed arrays point into these buffers
  Buffer buffer;
  PyObject *call_args = args[2];
  if (!frame_call(buffer, method, &PyTuple_GET_ITEM(call_args, 0), PyTuple_GET_SIZE(call_args),
                  pins)) {
    ++g_counters.py2native_fallback;
    return Py_NewRef(g_fallback);
  }
  ++g_counters.py2native_fast;
  // request = the command | index << 10, as a signed 64-bit word.
  long long request = static_cast<long long>(g_actor_call_command | (index << 10));
  return execute_call(request, buffer, [type_name, method] {
    return PyUnicode_FromFormat("%U.%U", type_name, method);
  });
}

PyObject *fast_set_py2native(PyObject *, PyObject *args) {
  PyObject *run_task, *error_from_reply, *unpack_result;
  if (!PyArg_ParseTuple(args, "OOO:set_py2native", &run_task, &error_from_reply, &unpack_result)) {
    return nullptr;
  }
  if (!PyCallable_Check(run_task) || !PyCallable_Check(error_from_reply) ||
      !PyCallable_Check(unpack_result)) {
    PyErr_SetString(PyExc_TypeError, "set_py2native(run_task, error_from_reply, "
                                     "unpack_result_block): callables");
    return nullptr;
  }
  replace(&g_run_task_python, run_task);
  replace(&g_error_from_reply, error_from_reply);
  replace(&g_unpack_result, unpack_result);
  Py_RETURN_NONE;
}

PyObject *fast_set_python_tasks(PyObject *, PyObject *names_of) {
  if (names_of != Py_None && !PyCallable_Check(names_of)) {
    PyErr_SetString(PyExc_TypeError, "set_python_tasks(names_of): a callable or None");
    return nullptr;
  }
  replace(&g_python_tasks_of, names_of == Py_None ? nullptr : names_of);
  Py_CLEAR(g_python_tasks);  // asked again on the next call
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
  if (run_task < 0 || run_task >= 1024 || actor_call < 0 || actor_call >= 1024) {
    PyErr_SetString(PyExc_ValueError, "set_commands: commands are 0..1023");
    return nullptr;
  }
  g_run_task_command = run_task;
  g_actor_call_command = static_cast<unsigned long long>(actor_call);
  g_arrays_enabled = arrays != 0;
  Py_RETURN_NONE;
}

}  // namespace goray::fastpath
