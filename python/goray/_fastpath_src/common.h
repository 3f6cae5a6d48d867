// What every part of goray._fastpath includes first: Python.h, msgpack-c configured
// the same way in every translation unit, and the limits and helpers the parts share.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MSGPACK_NO_BOOST
// msgpack-c's parse context reserves its container stack on the heap for every value
// parsed (32 entries by default); values here are mostly scalars: grow it on demand.
#define MSGPACK_EMBED_STACK_SIZE 0
#include <msgpack.hpp>

#include <cstdint>

// The protocol's numbers (commands, codes, ext types), rendered from its table
// (generator/protocol/numbers.json): detail::kServeRunTask, codec::detail::kExtArrayInline...
#include "goray/detail/protocol_numbers.h"

namespace goray::fastpath {

// Nesting beyond this is left to the Python code (msgpack-python refuses deeper than
// about 1024 levels on unpack and ~511 on pack: its own errors, its own texts).
constexpr int kMaxDepth = 200;

// Py2Native commands are below this (the request word's low bits); instance indexes, in its
// high bits, below kIndexLimit.
constexpr long long kCommandLimit = 1LL << detail::kRequestCommandBits;
constexpr unsigned long long kIndexLimit = 1ULL << (64 - detail::kRequestCommandBits);

// The Native2Py commands served here when their stock Python handler is installed (calls
// into Python functions and local instances); tables indexed by command have kServedSlots.
constexpr int kServedCommands[] = {detail::kExePythonLocalTask, detail::kExePyCode,
                                   detail::kLocalMethodCall};
constexpr int kServedSlots = detail::kLocalMethodCall + 1;
constexpr bool is_served_command(long long request) {
  for (int command : kServedCommands) {
    if (request == command) return true;
  }
  return false;
}

// callable(first, second), releasing both arguments. Either may be NULL (its
// constructor failed, its error pending): then nothing is called and the result is NULL.
inline PyObject *call_owned(PyObject *callable, PyObject *first, PyObject *second) {
  PyObject *result = nullptr;
  if (first != nullptr && second != nullptr) {
    PyObject *call_args[2] = {first, second};
    result = PyObject_Vectorcall(callable, call_args, 2, nullptr);
  }
  Py_XDECREF(first);
  Py_XDECREF(second);
  return result;
}

// Drops what `*slot` held and keeps a new reference to `value` (may be NULL).
inline void replace(PyObject **slot, PyObject *value) { Py_XSETREF(*slot, Py_XNewRef(value)); }

}  // namespace goray::fastpath
