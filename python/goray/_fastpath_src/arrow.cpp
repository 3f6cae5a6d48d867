// Arrow string and binary columns in values (see arrow.h).
#include "arrow.h"
#include "thread_states.h"

#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "goray/detail/arrow_c.h"
#include "goray/detail/column_wire.h"

namespace goray::fastpath {
namespace {

using goray::ColumnChunk;

constexpr const char *kSchemaName = "arrow_schema";
constexpr const char *kArrayName = "arrow_array";
constexpr const char *kStreamName = "arrow_array_stream";

// A capsule owning a malloc'ed struct: released (if the consumer did not move it) and freed.
template <class Struct>
void release_owned(PyObject *capsule, const char *name) {
  auto *owned = static_cast<Struct *>(PyCapsule_GetPointer(capsule, name));
  if (owned == nullptr) {
    PyErr_Clear();
    return;
  }
  if (owned->release != nullptr) owned->release(owned);
  std::free(owned);
}

void release_schema_capsule(PyObject *capsule) { release_owned<ArrowSchema>(capsule, kSchemaName); }
void release_array_capsule(PyObject *capsule) { release_owned<ArrowArray>(capsule, kArrayName); }

// A new capsule holding a malloc'ed copy of `from`, which is marked released (moved).
template <class Struct>
PyObject *capsule_moving(Struct &from, const char *name, PyCapsule_Destructor destructor) {
  auto *owned = static_cast<Struct *>(std::malloc(sizeof(Struct)));
  if (owned == nullptr) return PyErr_NoMemory();
  *owned = from;
  from.release = nullptr;
  PyObject *capsule = PyCapsule_New(owned, name, destructor);
  if (capsule == nullptr) {
    if (owned->release != nullptr) owned->release(owned);
    std::free(owned);
  }
  return capsule;
}

PyObject *capsule_pair(ArrowSchema &schema, ArrowArray &array) {
  PyObject *schema_capsule = capsule_moving(schema, kSchemaName, release_schema_capsule);
  if (schema_capsule == nullptr) {
    if (array.release != nullptr) array.release(&array);
    return nullptr;
  }
  PyObject *array_capsule = capsule_moving(array, kArrayName, release_array_capsule);
  if (array_capsule == nullptr) {
    Py_DECREF(schema_capsule);
    return nullptr;
  }
  PyObject *pair = PyTuple_Pack(2, schema_capsule, array_capsule);
  Py_DECREF(schema_capsule);
  Py_DECREF(array_capsule);
  return pair;
}

// The chunks of one object, exported through its PyCapsule protocol and kept until the
// owning capsule goes (its destructor releases them).
struct Exported {
  PyObject *schema_capsule = nullptr;  // __arrow_c_array__'s (it owns the schema)
  PyObject *array_capsule = nullptr;   // __arrow_c_array__'s
  ArrowSchema stream_schema{};         // __arrow_c_stream__'s
  std::deque<ArrowArray> stream_arrays;
  std::vector<std::pair<const ArrowSchema *, const ArrowArray *>> chunks;

  ~Exported() {
    Py_XDECREF(schema_capsule);
    Py_XDECREF(array_capsule);
    for (ArrowArray &array : stream_arrays) {
      if (array.release != nullptr) array.release(&array);
    }
    if (stream_schema.release != nullptr) stream_schema.release(&stream_schema);
  }
};

void release_exported_capsule(PyObject *capsule) {
  delete static_cast<Exported *>(PyCapsule_GetPointer(capsule, "goray.arrow_chunks"));
}

// obj's chunks by its PyCapsule protocol (__arrow_c_array__, else __arrow_c_stream__), or
// null with an exception set.
Exported *export_chunks(PyObject *value) {
  auto exported = std::make_unique<Exported>();
  PyObject *pair = PyObject_CallMethod(value, "__arrow_c_array__", nullptr);
  if (pair != nullptr) {
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
      Py_DECREF(pair);
      PyErr_SetString(PyExc_TypeError, "__arrow_c_array__ did not return (schema, array) capsules");
      return nullptr;
    }
    exported->schema_capsule = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
    exported->array_capsule = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
    Py_DECREF(pair);
    auto *schema = static_cast<ArrowSchema *>(PyCapsule_GetPointer(exported->schema_capsule, kSchemaName));
    auto *array = schema != nullptr
                      ? static_cast<ArrowArray *>(PyCapsule_GetPointer(exported->array_capsule, kArrayName))
                      : nullptr;
    if (array == nullptr) return nullptr;
    exported->chunks.emplace_back(schema, array);
    return exported.release();
  }
  if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return nullptr;
  PyErr_Clear();
  PyObject *stream_capsule = PyObject_CallMethod(value, "__arrow_c_stream__", nullptr);
  if (stream_capsule == nullptr) return nullptr;
  auto *stream = static_cast<ArrowArrayStream *>(PyCapsule_GetPointer(stream_capsule, kStreamName));
  if (stream == nullptr) {
    Py_DECREF(stream_capsule);
    return nullptr;
  }
  auto failed = [&](const char *what) {
    const char *why = stream->get_last_error != nullptr ? stream->get_last_error(stream) : nullptr;
    PyErr_Format(PyExc_ValueError, "an Arrow stream's %s failed: %s", what, why != nullptr ? why : "(no message)");
    Py_DECREF(stream_capsule);  // its destructor releases the stream
    return nullptr;
  };
  if (stream->get_schema(stream, &exported->stream_schema) != 0) return failed("get_schema");
  for (;;) {
    ArrowArray &next = exported->stream_arrays.emplace_back();
    if (stream->get_next(stream, &next) != 0) {
      next.release = nullptr;
      return failed("get_next");
    }
    if (next.release == nullptr) {  // the end
      exported->stream_arrays.pop_back();
      break;
    }
  }
  Py_DECREF(stream_capsule);
  for (const ArrowArray &array : exported->stream_arrays) exported->chunks.emplace_back(&exported->stream_schema, &array);
  return exported.release();
}

// The values of a schema: 1 strings, 2 bytes, 0 neither.
int values_of(const ArrowSchema &schema) {
  const ArrowSchema &values = schema.dictionary != nullptr ? *schema.dictionary : schema;
  switch (goray::detail::ParseValuesFormat(values.format).values) {
    case goray::detail::ArrowValues::kString: return 1;
    case goray::detail::ArrowValues::kBinary: return 2;
    default: return 0;
  }
}

// The chunks read as ColumnChunks (any string or binary layout), or false with an exception.
bool read_chunks(const Exported &exported, std::vector<ColumnChunk> &chunks) {
  std::string why;
  for (const auto &[schema, array] : exported.chunks) {
    ColumnChunk chunk;
    if (!goray::detail::ImportArrowChunk(*schema, *array, false, chunk, why)) {
      PyErr_Format(PyExc_ValueError, "%s", why.empty() ? "an Arrow array of neither strings nor bytes" : why.c_str());
      return false;
    }
    chunks.push_back(std::move(chunk));
  }
  return true;
}

struct BytesSink {
  char *at;
  void write(const char *data, std::size_t size) {
    std::memcpy(at, data, size);
    at += size;
  }
};

// An ext 78 payload's buffers, viewed by an Arrow array: its release drops the payload.
struct InlinePrivate {
  PyObject *owner;  // the payload (bytes), or a capsule of its aligned copy
  const void *buffers[3];
};

void release_inline_array(ArrowArray *array) {
  auto *kept = static_cast<InlinePrivate *>(array->private_data);
  {
    CallbackGil gil;  // (pyarrow may release from any thread)
    if (!gil.refused()) Py_XDECREF(kept->owner);  // refused at exit: the process frees it
  }
  delete kept;
  array->release = nullptr;
}

}  // namespace

PyObject *fast_arrow_values(PyObject *, PyObject *schema_capsule) {
  auto *schema = static_cast<ArrowSchema *>(PyCapsule_GetPointer(schema_capsule, kSchemaName));
  if (schema == nullptr) return nullptr;
  return PyLong_FromLong(values_of(*schema));
}

PyObject *fast_arrow_borrow(PyObject *, PyObject *value) {
  Exported *exported = export_chunks(value);
  if (exported == nullptr) return nullptr;
  PyObject *pins = PyCapsule_New(exported, "goray.arrow_chunks", release_exported_capsule);
  if (pins == nullptr) {
    delete exported;
    return nullptr;
  }
  for (const auto &chunk : exported->chunks) {
    if (values_of(*chunk.first) == 0) {
      Py_DECREF(pins);
      Py_RETURN_NONE;
    }
  }
  if (exported->chunks.empty() && values_of(exported->stream_schema) == 0) {
    Py_DECREF(pins);
    Py_RETURN_NONE;
  }
  // flags 0 (borrowed), u32 count, (schema, array) addresses, token 0.
  const std::size_t count = exported->chunks.size();
  constexpr std::size_t kHead = goray::detail::kColumnAddressHeadBytes;
  constexpr std::size_t kChunk = goray::detail::kColumnAddressChunkBytes;
  std::string body(kHead + kChunk * count + goray::detail::kColumnAddressTokenBytes, '\0');
  auto put = [&](std::size_t at, std::uint64_t number, int bytes) {
    for (int i = 0; i < bytes; ++i) body[at + static_cast<std::size_t>(i)] = static_cast<char>((number >> (8 * i)) & 0xff);
  };
  put(4, count, 4);
  for (std::size_t i = 0; i < count; ++i) {
    put(kHead + kChunk * i, reinterpret_cast<std::uintptr_t>(exported->chunks[i].first), 8);
    put(kHead + kChunk * i + 8, reinterpret_cast<std::uintptr_t>(exported->chunks[i].second), 8);
  }
  PyObject *bytes = PyBytes_FromStringAndSize(body.data(), static_cast<Py_ssize_t>(body.size()));
  if (bytes == nullptr) {
    Py_DECREF(pins);
    return nullptr;
  }
  PyObject *answer = PyTuple_Pack(2, bytes, pins);
  Py_DECREF(bytes);
  Py_DECREF(pins);
  return answer;
}

PyObject *fast_arrow_inline(PyObject *, PyObject *value) {
  Exported *exported = export_chunks(value);
  if (exported == nullptr) return nullptr;
  std::unique_ptr<Exported> held(exported);
  int values = exported->chunks.empty() ? values_of(exported->stream_schema) : values_of(*exported->chunks[0].first);
  for (const auto &chunk : exported->chunks) {
    if (values_of(*chunk.first) != values) values = 0;
  }
  if (values == 0) Py_RETURN_NONE;
  std::vector<ColumnChunk> chunks;
  if (!read_chunks(*exported, chunks)) return nullptr;
  const goray::detail::WirePlan plan = goray::detail::PlanWireColumn(chunks);
  PyObject *bytes = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(plan.size));
  if (bytes == nullptr) return nullptr;
  BytesSink sink{PyBytes_AS_STRING(bytes)};
  goray::detail::WriteWireColumn(sink, chunks, values == 1, plan);
  return bytes;
}

PyObject *fast_arrow_take(PyObject *, PyObject *args) {
  unsigned long long schema_address = 0;
  unsigned long long array_address = 0;
  if (!PyArg_ParseTuple(args, "KK:arrow_take", &schema_address, &array_address)) return nullptr;
  auto *schema = reinterpret_cast<ArrowSchema *>(static_cast<std::uintptr_t>(schema_address));
  auto *array = reinterpret_cast<ArrowArray *>(static_cast<std::uintptr_t>(array_address));
  if (schema == nullptr || array == nullptr || schema->release == nullptr || array->release == nullptr) {
    PyErr_SetString(PyExc_ValueError, "ext 79: a handed-over column that is null or already taken");
    return nullptr;
  }
  return capsule_pair(*schema, *array);
}

PyObject *fast_arrow_from_inline(PyObject *, PyObject *payload) {
  if (!PyBytes_Check(payload)) {
    PyErr_SetString(PyExc_TypeError, "arrow_from_inline(payload): bytes");
    return nullptr;
  }
  const char *data = PyBytes_AS_STRING(payload);
  const std::size_t size = static_cast<std::size_t>(PyBytes_GET_SIZE(payload));
  PyObject *owner = Py_NewRef(payload);
  if (reinterpret_cast<std::uintptr_t>(data) % 8 != 0) {  // Arrow reads aligned offsets
    void *copy = std::malloc(size == 0 ? 1 : size);
    if (copy == nullptr) {
      Py_DECREF(owner);
      return PyErr_NoMemory();
    }
    std::memcpy(copy, data, size);
    Py_SETREF(owner, PyCapsule_New(copy, "goray.arrow_payload",
                                   [](PyObject *capsule) { std::free(PyCapsule_GetPointer(capsule, "goray.arrow_payload")); }));
    if (owner == nullptr) {
      std::free(copy);
      return nullptr;
    }
    data = static_cast<const char *>(copy);
  }
  goray::detail::WireColumn column;
  const std::string why = goray::detail::ReadWireColumn(data, size, column);
  if (!why.empty()) {
    Py_DECREF(owner);
    PyErr_Format(PyExc_ValueError, "%s", why.c_str());
    return nullptr;
  }
  const ColumnChunk &chunk = column.chunk;
  const bool large = chunk.layout() == ColumnChunk::Layout::kOffsets64;
  ArrowSchema schema{};
  schema.format = column.text ? (large ? "U" : "u") : (large ? "Z" : "z");
  schema.name = "";
  schema.flags = ARROW_FLAG_NULLABLE;
  schema.release = [](ArrowSchema *self) { self->release = nullptr; };
  auto *kept = new (std::nothrow) InlinePrivate{owner, {chunk.null_bitmap(),
                                                        large ? static_cast<const void *>(chunk.offsets64())
                                                              : static_cast<const void *>(chunk.offsets32()),
                                                        chunk.data()}};
  if (kept == nullptr) {
    Py_DECREF(owner);
    return PyErr_NoMemory();
  }
  ArrowArray array{};
  array.length = chunk.size();
  array.null_count = chunk.null_count();
  array.n_buffers = 3;
  array.buffers = kept->buffers;
  array.private_data = kept;
  array.release = release_inline_array;
  return capsule_pair(schema, array);
}

}  // namespace goray::fastpath
