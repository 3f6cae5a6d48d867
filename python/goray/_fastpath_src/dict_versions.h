// Dict versions: a tag per table of tables.h such that "same tag" means "same lookup
// result", so a looked-up handler or function can be kept until its table changes.
//
//   CPython <= 3.11: the dict's own ma_version_tag (PEP 509), which changes on every
//   change of its contents.
//   CPython >= 3.12: that field is deprecated (and gone in 3.14), so a dict watcher
//   (PyDict_AddWatcher) counts the changes of the watched tables instead: one counter
//   for all of them, which changes whenever any of them changes. When no watcher can
//   be had (all 8 of the interpreter's slots taken) every tag is new: every call looks
//   up again, which is slower but still right.
#pragma once

#include "common.h"

namespace goray::fastpath {

#if PY_VERSION_HEX < 0x030C0000

inline bool dict_versions_init() { return true; }
inline bool watch_dict(PyObject *) { return true; }
inline uint64_t dict_version(PyObject *dict) {
  return reinterpret_cast<PyDictObject *>(dict)->ma_version_tag;
}

#else

extern uint64_t g_watched_changes;  // bumped by the watcher on any change of a watched dict
extern bool g_watching;             // the watcher exists

// Registers the watcher (once). Never fails: without one, tags are never equal.
bool dict_versions_init();
// Watches `dict` (a dict) from now on; false (no error set) when it cannot.
bool watch_dict(PyObject *dict);
// The tag of a watched dict (the dict itself does not matter: one counter for all).
inline uint64_t dict_version(PyObject *) {
  return g_watching ? g_watched_changes : ++g_watched_changes;
}

#endif

}  // namespace goray::fastpath
