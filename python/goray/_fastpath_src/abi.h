// The library's C ABI (docs/protocol.md §1): its Execute and FreeMemory, called
// directly (the GIL released around Execute), and the raw execute entry points.
#pragma once

#include "common.h"

namespace goray::fastpath {

using ExecuteFn = void *(*)(long long, void *, long long, long long *, long long *);
using FreeMemoryFn = void (*)(void *);

// The bound library's functions (bind); NULL until then.
extern ExecuteFn g_execute;
extern FreeMemoryFn g_free;

// A non-NULL input of length 0 (docs/protocol.md §1: never NULL, even when empty).
extern char g_empty_input[1];

// The OwnedOutput type of execute_view. False with a Python error set.
bool abi_init();

// bind(execute_address, free_address): the library's Execute and FreeMemory.
PyObject *fast_bind(PyObject *, PyObject *args);
// execute(request, payload) -> (code, bytes): Execute with the GIL released; the output
// is copied, then FreeMemory'd.
PyObject *fast_execute(PyObject *, PyObject *const *args, Py_ssize_t nargs);
// execute_view(request, payload, copy_below) -> (code, memoryview): as execute, but an
// output of copy_below bytes or more stays in the library's buffer (a read-only view
// of it, freed when the last view goes); smaller ones are copied and freed at once.
PyObject *fast_execute_view(PyObject *, PyObject *const *args, Py_ssize_t nargs);
// execute_decoded(request, payload, decode) -> (code, value): as execute, but on code 0
// the value is decode(memoryview of the library's output), read before FreeMemory, so
// a large reply is never copied whole (decode must keep no reference to the view).
// On another code the value is a copy of the output (bytes).
PyObject *fast_execute_decoded(PyObject *, PyObject *const *args, Py_ssize_t nargs);

}  // namespace goray::fastpath
