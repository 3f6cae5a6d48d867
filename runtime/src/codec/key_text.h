// A map key as a decoding error's path shows it, for decode.cpp (which defines it) and
// struct_adaptor.cpp: "\"k\"" for strings (escaped), "5" for ints.
// Tests: tests/cpp/codec_test.cpp
#pragma once

#include <string>

#include "goray/codec_decl.h"

namespace goray::codec::detail {

std::string KeyText(const msgpack::object& key);

}  // namespace goray::codec::detail
