// The Python tables the Native2Py fast path reads (see tables.h).
#include "tables.h"

#include "dict_versions.h"
#include "targets.h"

namespace goray::fastpath {
namespace {

PyObject *g_handler_table = nullptr;  // _handlers._handlers: command -> handler
PyObject *g_stock[kServedSlots] = {};         // the stock handlers of kServedCommands
PyObject *g_command_keys[kServedSlots] = {};  // the ints 0 .. kServedSlots - 1
PyObject *g_functions = nullptr;      // _registry.function_tables().functions
PyObject *g_imported = nullptr;       // _registry.function_tables().imported
PyObject *g_instances = nullptr;      // _handlers._instances

bool lookup_stock_handler(int cmd) {
  PyObject *handler = PyDict_GetItemWithError(g_handler_table, g_command_keys[cmd]);
  if (handler == nullptr) PyErr_Clear();
  return handler != nullptr && handler == g_stock[cmd];
}

struct {
  bool valid = false;
  uint64_t version = 0;
  bool stock[kServedSlots] = {};
} g_stock_seen;  // the handler table at a version of its

}  // namespace

bool tables_init() {
  for (int cmd = 0; cmd < kServedSlots; ++cmd) {
    if (g_command_keys[cmd] == nullptr) {
      g_command_keys[cmd] = PyLong_FromLong(cmd);
      if (g_command_keys[cmd] == nullptr) return false;
    }
  }
  return dict_versions_init();
}

bool set_tables(PyObject *handlers, PyObject *stock, PyObject *functions, PyObject *imported,
                PyObject *instances) {
  PyObject *stock_handlers[kServedSlots] = {};
  for (int cmd : kServedCommands) {
    PyObject *handler = PyDict_GetItemWithError(stock, g_command_keys[cmd]);
    if (handler == nullptr) {
      if (!PyErr_Occurred()) PyErr_Format(PyExc_KeyError, "stock handler of command %d", cmd);
      return false;
    }
    stock_handlers[cmd] = handler;
  }
  for (int cmd : kServedCommands) replace(&g_stock[cmd], stock_handlers[cmd]);
  replace(&g_handler_table, handlers);
  replace(&g_functions, functions);
  replace(&g_imported, imported);
  replace(&g_instances, instances);
  // The tables whose tags decide what is kept (the instances are looked up every call).
  // Tables replaced here stay watched: their changes only cost a lookup.
  for (PyObject *table : {handlers, functions, imported}) watch_dict(table);
  g_stock_seen.valid = false;  // the stock handlers may have changed, not the table
  return true;
}

void forget_handler_table() { Py_CLEAR(g_handler_table); }

bool stock_handler(int cmd) {
  uint64_t version = dict_version(g_handler_table);
  if (!g_stock_seen.valid || g_stock_seen.version != version) {
    for (int command : kServedCommands) g_stock_seen.stock[command] = lookup_stock_handler(command);
    g_stock_seen.version = version;
    g_stock_seen.valid = true;
  }
  return g_stock_seen.stock[cmd];
}

PyObject *registered_function(const CallTarget &target) {
  Target *cached = target.current();
  uint64_t functions_version = dict_version(g_functions);
  uint64_t imported_version = dict_version(g_imported);
  if (cached != nullptr && cached->function != nullptr &&
      cached->functions_version == functions_version &&
      cached->imported_version == imported_version) {
    return Py_NewRef(cached->function);
  }
  PyObject *function = PyDict_GetItemWithError(g_functions, target.text);
  if (function == nullptr) {
    if (PyErr_Occurred()) PyErr_Clear();
    function = PyDict_GetItemWithError(g_imported, target.imported_key);
    if (function == nullptr) {
      PyErr_Clear();
      return nullptr;  // unknown or not imported yet: the Python way
    }
  }
  if (!PyFunction_Check(function)) return nullptr;
  if (cached != nullptr) {
    Py_XSETREF(cached->function, Py_NewRef(function));
    cached->functions_version = functions_version;
    cached->imported_version = imported_version;
  }
  return Py_NewRef(function);
}

PyObject *local_instance(PyObject *instance_id) {
  PyObject *instance = PyDict_GetItemWithError(g_instances, instance_id);
  if (instance == nullptr) PyErr_Clear();
  return instance;
}

}  // namespace goray::fastpath
