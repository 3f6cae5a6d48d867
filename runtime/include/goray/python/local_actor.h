// Local actors of the typed entries (entries.h): one Python type per native actor type,
// `_<name>_entries.Counter`, whose constructor builds the C++ instance in this process
// and whose methods are typed entries. An instance behaves as goray.LocalActor (and is
// one: goray._entries registers the types): type_name, index, closed, call(method, ...)
// (any method, by its C++ name), close() (also at the end of a `with` block, or when
// collected). Its attributes are CPython's own (no __getattr__, which would cost every
// method call CPython's fast path): a name that is no method is an AttributeError at once.
// Closing while a call runs (another thread's, or a callback's) ends the registration at
// once and the C++ instance after that call.
#pragma once

#include <structmember.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace goray::python {

using FastKeywordsFunction = PyObject* (*)(PyObject*, PyObject* const*, Py_ssize_t, PyObject*);

inline bool IsFinalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

// A method as goray-gen lists it: its C++ name and its entry (ml_name: its Python name).
struct MethodSpec {
  const char* cpp_name;
  PyMethodDef def;
};

// An actor type as goray-gen lists it; `type` is made by MakeModule.
struct ActorSpec {
  const char* name;                                         // the actor type
  const char* attr;                                         // its Python name in the module
  newfunc construct;                                        // ConstructorFunction<kCtor>
  MethodSpec* methods;                                      // ended by {nullptr, {nullptr}}
  const char* doc;
  PyTypeObject* type = nullptr;
  PyMethodDef* method_table = nullptr;                      // methods + the LocalActor ones
};

struct ActorObject {
  PyObject_HEAD
  std::shared_ptr<void> object;  // null once closed and no call runs
  std::uint64_t index;
  ActorSpec* spec;
  long inflight;  // typed calls running (changed only with the GIL held)
  bool closed;
  PyObject* weakrefs;
};

namespace detail {

inline std::vector<ActorSpec*>& ActorSpecs() {
  static std::vector<ActorSpec*> specs;
  return specs;
}

inline ActorSpec* SpecOfType(PyTypeObject* type) {
  for (ActorSpec* spec : ActorSpecs()) {
    if (spec->type != nullptr && PyType_IsSubtype(type, spec->type)) return spec;
  }
  return nullptr;
}

// A typed call on `actor` ended: the instance goes once it is closed and no call runs.
inline void EndCall(ActorObject* actor) {
  if (--actor->inflight == 0 && actor->closed) actor->object.reset();
}

// Closes the instance (once): its registration at once, the C++ instance now or after
// the calls running. False with an exception set if the registration could not end.
inline void CloseActor(ActorObject* actor) {
  if (actor->closed) return;
  actor->closed = true;
  TheGoray().table->close_instance(actor->index);  // (bound: its constructor's call did)
  if (actor->inflight == 0) actor->object.reset();
}

inline PyObject* NewActorObject(PyTypeObject* type, ActorSpec* spec, std::shared_ptr<void> object,
                                std::uint64_t index) {
  auto* actor = reinterpret_cast<ActorObject*>(type->tp_alloc(type, 0));
  if (actor == nullptr) return nullptr;
  new (&actor->object) std::shared_ptr<void>(std::move(object));
  actor->index = index;
  actor->spec = spec;
  actor->inflight = 0;
  actor->closed = false;
  actor->weakrefs = nullptr;
  return reinterpret_cast<PyObject*>(actor);
}

}  // namespace detail

// A constructor's entry, the type's tp_new: `ConstructorFunction<kCounterNew>`.
template <auto& kConstructor>
PyObject* ConstructorFunction(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  if (!kConstructor.Ready()) return nullptr;
  ActorSpec* spec = detail::SpecOfType(type);
  if (spec == nullptr) {
    PyErr_Format(PyExc_TypeError, "%s is not a goray local actor type", type->tp_name);
    return nullptr;
  }
  // The arguments as vectorcall has them: positional, then the keywords' values.
  const Py_ssize_t nargs = PyTuple_GET_SIZE(args);
  std::vector<PyObject*> all(&PyTuple_GET_ITEM(args, 0), &PyTuple_GET_ITEM(args, 0) + nargs);
  PyObject* kwnames = nullptr;
  if (kwargs != nullptr && PyDict_GET_SIZE(kwargs) != 0) {
    kwnames = PyTuple_New(PyDict_GET_SIZE(kwargs));
    if (kwnames == nullptr) return nullptr;
    Py_ssize_t position = 0, k = 0;
    PyObject *key, *value;
    while (PyDict_Next(kwargs, &position, &key, &value)) {
      PyTuple_SET_ITEM(kwnames, k++, Py_NewRef(key));
      all.push_back(value);
    }
  }
  std::shared_ptr<void> made;
  PyObject* none = kConstructor.Invoke(nullptr, all.data(), nargs, kwnames, &made);
  Py_XDECREF(kwnames);
  if (none == nullptr) return nullptr;
  Py_DECREF(none);
  std::uint64_t index = 0;
  TypedFailure failure;
  if (!TheGoray().table->adopt_instance(kConstructor.type(), made, &index, &failure)) {
    return RaiseFailure(failure, kConstructor.callee());
  }
  return detail::NewActorObject(type, spec, std::move(made), index);
}

// A method's entry: `MethodFunction<kCounterIncr>`.
template <auto& kMethod>
PyObject* MethodFunction(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  auto* actor = reinterpret_cast<ActorObject*>(self);
  if (!kMethod.Ready()) return nullptr;
  if (actor->closed) {
    PyErr_Format(TheGoray().goray_error, "%R is closed: cannot call %s", self, kMethod.name());
    return nullptr;
  }
  ++actor->inflight;
  PyObject* result = kMethod.Invoke(actor->object.get(), args, nargs, kwnames, &actor->object);
  detail::EndCall(actor);
  return result;
}

namespace detail {

inline void ActorDealloc(PyObject* self) {
  auto* actor = reinterpret_cast<ActorObject*>(self);
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (actor->weakrefs != nullptr) PyObject_ClearWeakRefs(self);
  // No calls into the library at interpreter exit (as goray.LocalActor's finalizer).
  if (!actor->closed && !IsFinalizing()) {
    PyObject *type_e, *value_e, *trace_e;
    PyErr_Fetch(&type_e, &value_e, &trace_e);
    CloseActor(actor);
    PyErr_Restore(type_e, value_e, trace_e);
  }
  actor->object.~shared_ptr();
  type->tp_free(self);
  Py_DECREF(type);
}

inline int ActorTraverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  return 0;
}

inline PyObject* ActorRepr(PyObject* self) {
  auto* actor = reinterpret_cast<ActorObject*>(self);
  return PyUnicode_FromFormat("<goray.LocalActor %s#%llu%s>", actor->spec->name,
                              static_cast<unsigned long long>(actor->index),
                              actor->closed ? " closed" : "");
}

inline PyObject* ActorCall(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  auto* actor = reinterpret_cast<ActorObject*>(self);
  if (nargs < 1 || !PyUnicode_Check(args[0])) {
    PyErr_SetString(PyExc_TypeError, "call(method: str, /, *args, **kwargs)");
    return nullptr;
  }
  const char* method = PyUnicode_AsUTF8(args[0]);
  if (method == nullptr) return nullptr;
  for (MethodSpec* spec = actor->spec->methods; spec->cpp_name != nullptr; ++spec) {
    if (std::strcmp(spec->cpp_name, method) == 0) {
      auto function = reinterpret_cast<FastKeywordsFunction>(
          reinterpret_cast<void (*)()>(spec->def.ml_meth));
      return function(self, args + 1, nargs - 1, kwnames);
    }
  }
  // No such method: the error the library gives (goray.UnknownNameError, the methods listed).
  if (!EnsureBound()) return nullptr;
  PyObject* known = PyList_New(0);
  for (MethodSpec* spec = actor->spec->methods; known != nullptr && spec->cpp_name != nullptr; ++spec) {
    PyObject* name = PyUnicode_FromString(spec->cpp_name);
    if (name == nullptr || PyList_Append(known, name) != 0) Py_CLEAR(known);
    Py_XDECREF(name);
  }
  if (known == nullptr || PyList_Sort(known) != 0) {
    Py_XDECREF(known);
    return nullptr;
  }
  PyObject* error = PyObject_CallFunction(TheGoray().unknown_name, "sOO", "method", args[0], known);
  Py_DECREF(known);
  if (error != nullptr) {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error)), error);
    Py_DECREF(error);
  }
  return nullptr;
}

inline PyObject* ActorClose(PyObject* self, PyObject*) {
  CloseActor(reinterpret_cast<ActorObject*>(self));
  if (PyErr_Occurred()) return nullptr;
  Py_RETURN_NONE;
}

inline PyObject* ActorEnter(PyObject* self, PyObject*) { return Py_NewRef(self); }

inline PyObject* ActorExit(PyObject* self, PyObject* const*, Py_ssize_t) { return ActorClose(self, nullptr); }

inline PyObject* ActorTypeName(PyObject* self, void*) {
  return PyUnicode_FromString(reinterpret_cast<ActorObject*>(self)->spec->name);
}
inline PyObject* ActorIndex(PyObject* self, void*) {
  return PyLong_FromUnsignedLongLong(reinterpret_cast<ActorObject*>(self)->index);
}
inline PyObject* ActorClosed(PyObject* self, void*) {
  return PyBool_FromLong(reinterpret_cast<ActorObject*>(self)->closed);
}

// The type of `spec`, in `module`: its methods and goray.LocalActor's own.
inline PyTypeObject* MakeActorType(PyObject* module, ActorSpec* spec, const char* module_name) {
  static PyMethodDef kOwn[] = {
      {"call", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&ActorCall)),
       METH_FASTCALL | METH_KEYWORDS,
       "call($self, method, /, *args, **kwargs)\n--\n\nCalls a method by name (also for names "
       "this class uses itself)."},
      {"close", &ActorClose, METH_NOARGS,
       "close($self, /)\n--\n\nCloses the native instance (once; later calls raise GorayError, a "
       "second close does nothing)."},
      {"__enter__", &ActorEnter, METH_NOARGS, nullptr},
      {"__exit__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&ActorExit)),
       METH_FASTCALL, nullptr},
  };
  static PyGetSetDef kGetSet[] = {
      {"type_name", &ActorTypeName, nullptr, "The native actor type.", nullptr},
      {"index", &ActorIndex, nullptr, "The native instance index.", nullptr},
      {"closed", &ActorClosed, nullptr, "Whether the instance is closed.", nullptr},
      {nullptr, nullptr, nullptr, nullptr, nullptr},
  };
  static PyMemberDef kMembers[] = {
      {"__weaklistoffset__", T_PYSSIZET, offsetof(ActorObject, weakrefs), READONLY, nullptr},
      {nullptr, 0, 0, 0, nullptr},
  };
  std::size_t count = 0;
  while (spec->methods[count].cpp_name != nullptr) ++count;
  const std::size_t own = sizeof(kOwn) / sizeof(kOwn[0]);
  spec->method_table = new PyMethodDef[count + own + 1]();  // kept for the process
  for (std::size_t i = 0; i < count; ++i) spec->method_table[i] = spec->methods[i].def;
  for (std::size_t i = 0; i < own; ++i) spec->method_table[count + i] = kOwn[i];
  spec->method_table[count + own] = PyMethodDef{nullptr, nullptr, 0, nullptr};

  auto* qualified = new std::string(std::string(module_name) + "." + spec->attr);  // for the process
  PyType_Slot slots[] = {
      {Py_tp_new, reinterpret_cast<void*>(spec->construct)},
      {Py_tp_dealloc, reinterpret_cast<void*>(&ActorDealloc)},
      {Py_tp_traverse, reinterpret_cast<void*>(&ActorTraverse)},
      {Py_tp_repr, reinterpret_cast<void*>(&ActorRepr)},
      {Py_tp_methods, spec->method_table},
      {Py_tp_getset, kGetSet},
      {Py_tp_members, kMembers},
      {Py_tp_doc, const_cast<char*>(spec->doc)},
      {0, nullptr},
  };
  PyType_Spec type_spec = {qualified->c_str(), static_cast<int>(sizeof(ActorObject)), 0,
                           Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, slots};
  PyObject* type = PyType_FromModuleAndSpec(module, &type_spec, nullptr);
  if (type == nullptr) return nullptr;
  spec->type = reinterpret_cast<PyTypeObject*>(type);
  ActorSpecs().push_back(spec);
  return spec->type;
}

}  // namespace detail

namespace detail {

inline PyObject* Counters(PyObject*, PyObject*) {
  return Py_BuildValue("{sKsK}", "typed", TheGoray().typed_calls, "packed_arguments",
                       TheGoray().packed_arguments);
}

inline bool AddEntries(PyObject* module, const PyModuleDef* def, TaskSpec* tasks, std::size_t task_count,
                       ActorSpec* actors, std::size_t actor_count) {
  static PyMethodDef kOwn[] = {
      {"__goray_counters__", &Counters, METH_NOARGS,
       "__goray_counters__($module, /)\n--\n\nCalls made, and arguments the library decoded from msgpack."},
      {nullptr, nullptr, 0, nullptr},
  };
  if (PyModule_AddFunctions(module, kOwn) != 0) return false;
  auto* functions = new PyMethodDef[task_count + 1]();  // kept for the process
  for (std::size_t i = 0; i < task_count; ++i) functions[i] = tasks[i].def;
  functions[task_count] = PyMethodDef{nullptr, nullptr, 0, nullptr};
  if (PyModule_AddFunctions(module, functions) != 0) return false;
  // C++ name -> entry: what golang_local_run_task / golang_local_new_actor look up.
  PyObject* by_name = PyDict_New();
  if (by_name == nullptr || PyModule_AddObject(module, "__goray_tasks__", by_name) != 0) {
    Py_XDECREF(by_name);
    return false;
  }
  for (std::size_t i = 0; i < task_count; ++i) {
    PyObject* function = PyObject_GetAttrString(module, tasks[i].def.ml_name);
    const int stored = function != nullptr ? PyDict_SetItemString(by_name, tasks[i].cpp_name, function) : -1;
    Py_XDECREF(function);
    if (stored != 0) return false;
  }
  PyObject* types = PyDict_New();
  if (types == nullptr || PyModule_AddObject(module, "__goray_actors__", types) != 0) {
    Py_XDECREF(types);
    return false;
  }
  for (std::size_t i = 0; i < actor_count; ++i) {
    PyTypeObject* type = MakeActorType(module, &actors[i], def->m_name);
    if (type == nullptr) return false;
    const bool added = PyModule_AddObjectRef(module, actors[i].attr, reinterpret_cast<PyObject*>(type)) == 0 &&
                       PyDict_SetItemString(types, actors[i].name, reinterpret_cast<PyObject*>(type)) == 0;
    Py_DECREF(type);
    if (!added) return false;
  }
  return true;
}

}  // namespace detail

// The entries module: its tasks, its actor types (`actors` may be null when there are
// none). Called by the generated PyInit function.
inline PyObject* MakeModule(PyModuleDef* written, const char* app_name, const char* signatures, TaskSpec* tasks,
                            std::size_t task_count, ActorSpec* actors, std::size_t actor_count) {
  TheGoray().app_name = app_name;
  TheGoray().signatures = signatures;
  // CPython writes into a module's definition (PyModuleDef_Init), which must live as long
  // as the process: a copy of it, never freed. GCC 12 at -O3 put the generated static
  // definition in .data.rel.ro, read-only once the module is loaded (a crash on import).
  PyModuleDef* def = new PyModuleDef(*written);
  PyObject* module = PyModule_Create(def);
  if (module == nullptr) return nullptr;
  if (!detail::AddEntries(module, def, tasks, task_count, actors, actor_count) ||
      PyModule_AddStringConstant(module, "__goray_app__", app_name) != 0) {
    Py_DECREF(module);
    return nullptr;
  }
  // goray knows the module from now on (its actor types are goray.LocalActor's).
  PyObject* entries = PyImport_ImportModule("goray._entries");
  PyObject* done = entries != nullptr ? PyObject_CallMethod(entries, "register", "O", module) : nullptr;
  Py_XDECREF(entries);
  if (done == nullptr) {
    Py_DECREF(module);
    return nullptr;
  }
  Py_DECREF(done);
  return module;
}

}  // namespace goray::python
