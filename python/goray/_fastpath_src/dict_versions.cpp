// The dict watcher behind dict_version on CPython >= 3.12 (see dict_versions.h).
#include "dict_versions.h"

namespace goray::fastpath {

#if PY_VERSION_HEX >= 0x030C0000

uint64_t g_watched_changes = 0;
bool g_watching = false;

namespace {

int g_watcher_id = -1;

// Called before every change of a watched dict (and its deallocation): the next
// dict_version differs from every tag handed out before it. Must not fail or run Python.
int on_dict_event(PyDict_WatchEvent, PyObject *, PyObject *, PyObject *) {
  ++g_watched_changes;
  return 0;
}

}  // namespace

bool dict_versions_init() {
  if (g_watcher_id >= 0) return true;
  g_watcher_id = PyDict_AddWatcher(on_dict_event);
  if (g_watcher_id < 0) {
    PyErr_Clear();  // no slot left: tags are never equal (dict_version)
    return true;
  }
  g_watching = true;
  return true;
}

bool watch_dict(PyObject *dict) {
  // A table handed over later differs from the one whose tags were kept.
  ++g_watched_changes;
  if (g_watcher_id < 0) return false;
  if (PyDict_Watch(g_watcher_id, dict) < 0) {
    PyErr_Clear();
    // One table unwatched: its changes would go unseen, so no tag may be trusted.
    g_watching = false;
    return false;
  }
  return true;
}

#endif

}  // namespace goray::fastpath
