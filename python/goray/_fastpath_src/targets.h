// The call target cache of Native2Py commands 0, 1 and 3: a call's JSON unit, parsed
// once by _handlers._fast_target (set_native2py's `resolve`) and kept by its exact
// bytes. What it holds is a pure function of those bytes, so it never goes stale; the
// live target (the registered function, the instance) is looked up on every call in
// the tables of tables.h.
#pragma once

#include "common.h"

#include <string>

namespace goray::fastpath {

// What _handlers._fast_target made of a JSON unit.
struct Target {
  std::string key;
  bool usable = false;        // false: this call always goes to the dispatcher
  PyObject *text = nullptr;   // cmd 0: function name; 1: source; 3: method name
  PyObject *imported_key = nullptr;  // cmd 0: (name, False), the imported-table key
  PyObject *instance_id = nullptr;   // cmd 3
  // cmd 0: the function the registry tables gave at these versions of theirs
  // (dict_versions.h).
  PyObject *function = nullptr;
  uint64_t functions_version = 0;
  uint64_t imported_version = 0;
  ~Target() {
    Py_XDECREF(text);
    Py_XDECREF(imported_key);
    Py_XDECREF(instance_id);
    Py_XDECREF(function);
  }
};

// The call's own references to a target's parts (the cache may change during the
// call: it runs Python code).
struct CallTarget {
  Target *cached = nullptr;  // valid while the cache is not cleared (see current())
  uint64_t generation = 0;
  PyObject *text = nullptr;
  PyObject *imported_key = nullptr;
  PyObject *instance_id = nullptr;
  ~CallTarget() {
    Py_XDECREF(text);
    Py_XDECREF(imported_key);
    Py_XDECREF(instance_id);
  }
  // The cached Target while the cache was not cleared since find_target, else NULL.
  Target *current() const;
};

// Bumped whenever the cache is cleared: a Target* kept across Python code (which may
// clear it) is used only while the generation is unchanged.
extern uint64_t g_targets_generation;

inline Target *CallTarget::current() const {
  return generation == g_targets_generation ? cached : nullptr;
}

// set_native2py's resolve: _handlers._fast_target(command, json bytes) -> spec.
void set_resolver(PyObject *resolve);

// Fills `call` from the cached target of `json` for command `cmd`, parsing it on first
// sight. False: the call goes to the dispatcher.
bool find_target(int cmd, const char *json, size_t json_size, CallTarget &call);

// Empties the cache (and invalidates every CallTarget::current()).
void clear_targets();

// cache_info() -> {"0": n, "1": n, "3": n}: entries per command.
PyObject *fast_cache_info(PyObject *, PyObject *);
// cache_clear(): empties the cache.
PyObject *fast_cache_clear(PyObject *, PyObject *);

}  // namespace goray::fastpath
