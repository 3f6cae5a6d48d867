// Array exts (71/72) and column exts (78/79) recognized and named for messages: "ndarray
// of int32 (2, 3)", "Arrow string column of 3 rows" from a header alone, below the codec's
// descriptions of what was received (codec_decl.cpp), which name an ext so. Declared for users in goray/detail/array_codec.h; the
// array codec (array_codec.cpp) reads the rest of an ext.
#pragma once

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST  // as goray/codec_decl.h: msgpack-cxx's plain headers
#endif
#include <msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "goray/detail/protocol_numbers.h"

namespace goray::codec::detail {

// Whether numpy's `kind` and `itemsize` are a dtype goray reads (bool, ints, floats, complex).
bool IsKnownDtype(char kind, std::uint8_t itemsize);
// "(2, 3)", "(4,)": a shape as numpy prints it.
std::string ShapeText(const std::vector<std::int64_t>& shape);
// An int64 stored little-endian at `bytes` (an ext's shape or address).
std::int64_t LoadInt64(const char* bytes);
// "int32", "float64", ...; "dtype 'f2'" for a pair numpy has but goray does not.
std::string NumpyDtypeName(char kind, std::uint8_t itemsize);
// "ndarray of int32 (2, 3)".
std::string DescribeNdarray(char kind, std::uint8_t itemsize, const std::vector<std::int64_t>& shape);
// Whether `object` is ext 71 or 72.
bool IsArrayExt(const msgpack::object& object) noexcept;
// "ndarray of int32 (2, 3)" for a well-formed ext 71/72, else "".
std::string DescribeArrayExt(const msgpack::object& object);
// Whether `object` is ext 78 or 79 (declared for users in goray/detail/column_codec.h).
bool IsColumnExt(const msgpack::object& object) noexcept;
// "Arrow string column of 3 rows" for a well-formed ext 78, "Arrow column by address
// (ext 79)" for an ext 79 (its addresses are not read here), else "".
std::string DescribeColumnExt(const msgpack::object& object);

}  // namespace goray::codec::detail
