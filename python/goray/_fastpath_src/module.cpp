// goray._fastpath: the C ABI of docs/protocol.md §1 without ctypes' per-call cost, and
// the in-process hot paths done in C++. This file holds the module's method table and
// its init only; each part is a .h/.cpp pair:
//
//   abi          Execute/FreeMemory called directly: bind, execute, execute_view,
//                execute_decoded
//   py2native    golang_local_run_task, actor_call and call (Py2Native RunTask,
//                ActorMethodCall, MapTask... framed, sent and decoded in C; goray._codec
//                packs the arguments this packer leaves and decodes the replies it leaves)
//   native2py    the callback the library calls; Native2Py commands 0, 1, 3 served in C,
//                reading the tables of tables.h through the cache of targets.h;
//                replies.h builds its replies, thread_states.h takes the GIL
//   pack/unpack  Python <-> msgpack with goray._codec's semantics (buffer.h,
//                object_list.h); arrays.h: NumPy arrays in values (ext 71/72)
//   ref_exts     find_ref_exts: the ObjectRefs and handles inside values
//   arrow        Arrow string and binary columns in values (ext 78/79) through the Arrow
//                C Data Interface: what goray._arrow asks of C
//   counters     which calls went the C way and which parts went to goray._codec
//
// goray requires this module (goray._codec.fastpath_module imports it). _ffi.py opens the
// library (dlopen through ctypes.CDLL, symbol lookup), hands this module the addresses of
// Execute and FreeMemory (bind) and registers callback_address(); every Execute goes
// through here. _handlers.install_fastpath hands it the dispatcher and the tables it reads.
//
// msgpack is parsed with msgpack-c's visitor API straight into Python objects and packed
// with msgpack-c's packer, with the semantics of goray._codec (use_bin_type=True,
// raw=False, strict_map_key=False; str keys interned like msgpack-python). Values
// outside the exactly-handled set (ext types such as timestamps, invalid UTF-8,
// unhashable keys, ints beyond 64 bits, subclasses, deep nesting) are never guessed
// at: goray._codec packs or decodes them (for a call: all of its arguments).
#include "abi.h"
#include "arrays.h"
#include "arrow.h"
#include "common.h"
#include "counters.h"
#include "native2py.h"
#include "pack.h"
#include "py2native.h"
#include "ref_exts.h"
#include "replies.h"
#include "tables.h"
#include "targets.h"
#include "thread_states.h"
#include "unpack.h"

namespace goray::fastpath {
namespace {

template <class Function>
PyCFunction method(Function function) {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(function));
}

PyMethodDef kMethods[] = {
    {"bind", fast_bind, METH_VARARGS,
     "bind(execute_address, free_address): the library's Execute and FreeMemory."},
    {"execute", method(fast_execute), METH_FASTCALL,
     "execute(request, payload) -> (code, bytes): Execute with the GIL released."},
    {"execute_decoded", method(fast_execute_decoded), METH_FASTCALL,
     "execute_decoded(request, payload, decode) -> (code, value): value = decode(view of the "
     "output) on code 0, read before the output is freed; else a copy of the output."},
    {"execute_view", method(fast_execute_view), METH_FASTCALL,
     "execute_view(request, payload, copy_below) -> (code, memoryview): an output of\n"
     "copy_below bytes or more stays in the library's buffer (freed with its last view)."},
    {"golang_local_run_task", method(fast_run_task), METH_FASTCALL | METH_KEYWORDS,
     "golang_local_run_task($module, name, /, *args, **kwargs)\n--\n\n"
     "Runs a native task in this process and returns its result: None for no\n"
     "value, the value for one, a list for several. A generator task (its result is\n"
     "goray::Generator<T>) returns an iterator of its items instead (a LocalStream:\n"
     "each next() runs the task up to its next item; close it to stop early).\n"
     "Keyword arguments name the C++ parameters."},
    {"run_task_codec", method(fast_run_task_codec), METH_FASTCALL | METH_KEYWORDS,
     "run_task_codec($module, name, /, *args, **kwargs)\n--\n\n"
     "golang_local_run_task through the codec path (msgpack, Execute), never a typed entry."},
    {"actor_call", method(fast_actor_call), METH_FASTCALL,
     "actor_call(index, method, args, type_name) -> the result of a method of native\n"
     "instance `index` (positional arguments; keywords and generator methods are the caller's)."},
    {"call", method(fast_call), METH_FASTCALL,
     "call(command, index, name, args, callee) -> the result of a Py2Native command whose\n"
     "request is units(name, args block) and whose reply a native return block (MapTask,\n"
     "MapMethod...); callee names the callee in errors."},
    {"set_dispatcher", fast_set_dispatcher, METH_VARARGS,
     "set_dispatcher(dispatch, error_reply): what the callback calls."},
    {"set_native2py", method(fast_set_native2py), METH_VARARGS | METH_KEYWORDS,
     "set_native2py(handlers, stock, resolve, functions, imported, instances, pack_result,\n"
     "run_py_code): the tables and helpers of the Native2Py commands served in C."},
    {"set_commands", fast_set_commands, METH_VARARGS,
     "set_commands(run_task, actor_call, arrays=False): the Py2Native commands of "
     "golang_local_run_task and actor_call (4 and 6, or 34 and 35 once the library speaks "
     "arrays), and whether ndarray arguments go by address (ext 72)."},
    {"set_inline_decoder", fast_set_inline_decoder, METH_O,
     "set_inline_decoder(decode_inline): ext 71 payload -> ndarray, for the values decoded "
     "here (while NumPy is imported)."},
    {"set_stream_tasks", fast_set_stream_tasks, METH_O,
     "set_stream_tasks(names_of): names_of() -> frozenset of the generator tasks, whose calls\n"
     "return set_py2native's task_stream(name, args); asked on the first call; None: none."},
    {"set_result_converters", fast_set_result_converters, METH_O,
     "set_result_converters(table_of): table_of() -> dict of task name -> the function\n"
     "golang_local_run_task applies to its result, asked on its first call; None: none."},
    {"set_typed_tasks", fast_set_typed_tasks, METH_O,
     "set_typed_tasks(table_of): table_of() -> dict of task name -> the application's typed\n"
     "entry golang_local_run_task calls, asked on the first call that finds a library."},
    {"set_py2native", method(fast_set_py2native), METH_VARARGS | METH_KEYWORDS,
     "set_py2native(load, keywords, task_stream, pack_call, error_from_reply,\n"
     "unpack_result_block): the Python helpers of the Py2Native entry points: load() -> the\n"
     "library (bound here); keywords(name, *args, **kwargs) -> the positional arguments;\n"
     "task_stream(name, args) -> a generator task's LocalStream; pack_call(name, args, callee)\n"
     "-> (payload, keep), goray._codec packing a call whose arguments this packer leaves;\n"
     "error_from_reply(code, reply, callee); unpack_result_block(reply, callee)."},
    {"callback_address", fast_callback_address, METH_NOARGS,
     "callback_address() -> int: the C callback to pass to RegisterCallback."},
    {"counters", fast_counters, METH_NOARGS,
     "counters() -> dict: how many calls went the C way and which parts went to goray._codec."},
    {"cache_info", fast_cache_info, METH_NOARGS,
     "cache_info() -> dict: entries of the call target cache per command."},
    {"cache_clear", fast_cache_clear, METH_NOARGS, "cache_clear(): empties the call target cache."},
    {"pack", method(fast_pack), METH_FASTCALL,
     "pack(value, by_address=False) -> bytes or None: the C packer (None: left to\n"
     "goray._codec); by_address: arrays as ext 72 borrowed, as in-process calls send them\n"
     "(their addresses valid while the arrays live)."},
    {"find_ref_exts", fast_find_ref_exts, METH_O,
     "find_ref_exts(data) -> [(offset, type)]: the payloads of the ext 73/74 (fixext 8)\n"
     "items of concatenated msgpack values, up to the first invalid or truncated item."},
    {"unpack_values", fast_unpack_values, METH_O,
     "unpack_values(data) -> list or None: the C parser (None: left to goray._codec)."},
    {"arrow_values", fast_arrow_values, METH_O,
     "arrow_values(schema_capsule) -> 1 for string values, 2 for binary, 0 for other types\n"
     "(a dictionary's values counted)."},
    {"arrow_borrow", fast_arrow_borrow, METH_O,
     "arrow_borrow(obj) -> (ext 79 body, pins) or None: the chunks of obj (__arrow_c_array__ or\n"
     "__arrow_c_stream__) by address, valid while pins lives; None when they hold neither\n"
     "strings nor bytes."},
    {"arrow_inline", fast_arrow_inline, METH_O,
     "arrow_inline(obj) -> bytes or None: the ext 78 payload of obj's rows (any string or binary\n"
     "layout, several chunks joined); None when they hold neither strings nor bytes."},
    {"arrow_take", fast_arrow_take, METH_VARARGS,
     "arrow_take(schema_address, array_address) -> (schema capsule, array capsule): a library's\n"
     "handed-over Arrow structs (ext 79 owned), moved into capsules that release them."},
    {"arrow_from_inline", fast_arrow_from_inline, METH_O,
     "arrow_from_inline(payload) -> (schema capsule, array capsule): an ext 78 payload (bytes)\n"
     "checked and viewed in place, the array keeping the payload alive."},
    {nullptr, nullptr, 0, nullptr},
};


PyModuleDef kModule = {
    PyModuleDef_HEAD_INIT,
    "goray._fastpath",
    "The goray C ABI without ctypes' per-call cost, and the in-process hot paths in C++ "
    "(see goray._ffi).",
    -1,
    kMethods,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

}  // namespace
}  // namespace goray::fastpath

PyMODINIT_FUNC PyInit__fastpath(void) {
  using namespace goray::fastpath;
  if (!thread_states_init() || !replies_init() || !tables_init() || !abi_init()) return nullptr;
  PyObject *module = PyModule_Create(&kModule);
  if (module == nullptr) return nullptr;
  if (PyModule_AddIntConstant(module, "INTERFACE", goray::detail::kFastPathInterface) != 0) {
    Py_DECREF(module);
    return nullptr;
  }
  return module;
}
