// The call target cache (see targets.h).
#include "targets.h"

#include <memory>
#include <string_view>
#include <unordered_map>

namespace goray::fastpath {
namespace {

PyObject *g_resolve = nullptr;  // _handlers._fast_target(command, json) -> spec

// One table per command; touched only with the GIL held. Never destroyed: static
// destructors run after the interpreter is gone, too late to release the objects.
using TargetTable = std::unordered_map<std::string_view, std::unique_ptr<Target>>;
TargetTable *const g_targets = new TargetTable[kServedSlots];
constexpr size_t kTargetLimit = 4096;
// The target each command used last (the same JSON repeats call after call): one
// memcmp instead of hashing the key. Reset whenever a table is cleared.
Target *g_last_target[kServedSlots] = {};

}  // namespace

uint64_t g_targets_generation = 0;

void set_resolver(PyObject *resolve) { replace(&g_resolve, resolve); }

void clear_targets() {
  ++g_targets_generation;
  for (int cmd = 0; cmd < kServedSlots; ++cmd) {
    g_last_target[cmd] = nullptr;
    g_targets[cmd].clear();
  }
}

bool find_target(int cmd, const char *json, size_t json_size, CallTarget &call) {
  auto &table = g_targets[cmd];
  std::string_view key(json, json_size);
  Target *target = g_last_target[cmd];
  if (target != nullptr && target->key == key) {
    // the last one
  } else if (auto found = table.find(key); found != table.end()) {
    target = found->second.get();
    g_last_target[cmd] = target;
  } else {
    PyObject *bytes = PyBytes_FromStringAndSize(json, static_cast<Py_ssize_t>(json_size));
    if (bytes == nullptr) {
      PyErr_Clear();
      return false;
    }
    PyObject *spec = PyObject_CallFunction(g_resolve, "iO", cmd, bytes);
    Py_DECREF(bytes);
    if (spec == nullptr) {
      PyErr_Clear();
      return false;
    }
    std::unique_ptr<Target> made;
    try {
      made = std::make_unique<Target>();
      made->key.assign(json, json_size);
    } catch (...) {
      Py_DECREF(spec);
      return false;
    }
    if (PyTuple_CheckExact(spec)) {
      Py_ssize_t size = PyTuple_GET_SIZE(spec);
      if (cmd == 0 && size == 2) {
        made->text = Py_NewRef(PyTuple_GET_ITEM(spec, 0));
        made->imported_key = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        made->usable = PyUnicode_CheckExact(made->text);
      } else if (cmd == 1 && size == 1) {
        made->text = Py_NewRef(PyTuple_GET_ITEM(spec, 0));
        made->usable = PyUnicode_CheckExact(made->text);
      } else if (cmd == 3 && size == 2) {
        made->instance_id = Py_NewRef(PyTuple_GET_ITEM(spec, 0));
        made->text = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        made->usable = PyLong_CheckExact(made->instance_id) && PyUnicode_CheckExact(made->text);
      }
    }
    Py_DECREF(spec);
    // A parallel call may have cached the same bytes meanwhile (the resolver ran
    // Python code): both results are the same, keep the first.
    if (auto again = table.find(key); again != table.end()) {
      target = again->second.get();
    } else {
      if (table.size() >= kTargetLimit) clear_targets();
      target = made.get();
      try {
        table.emplace(std::string_view(target->key), std::move(made));
      } catch (...) {
        return false;
      }
    }
    g_last_target[cmd] = target;
  }
  if (!target->usable) return false;
  call.cached = target;
  call.generation = g_targets_generation;
  call.text = Py_XNewRef(target->text);
  call.imported_key = Py_XNewRef(target->imported_key);
  call.instance_id = Py_XNewRef(target->instance_id);
  return true;
}

PyObject *fast_cache_info(PyObject *, PyObject *) {
  return Py_BuildValue("{snsnsn}", "0", static_cast<Py_ssize_t>(g_targets[0].size()), "1",
                       static_cast<Py_ssize_t>(g_targets[1].size()), "3",
                       static_cast<Py_ssize_t>(g_targets[3].size()));
}

PyObject *fast_cache_clear(PyObject *, PyObject *) {
  clear_targets();
  Py_RETURN_NONE;
}

}  // namespace goray::fastpath
