// The value codec: C++ values <-> msgpack, as docs/protocol.md §5 maps them.
// Encode/Decode are the only entry points the runtime and generated code use.
#pragma once

#include "goray/codec_decl.h"  // Packer, DecodeError, Encode/Decode declared
// The definitions, in the order each needs the one before it.
#include "goray/detail/type_name.h"
#include "goray/detail/ref_codec.h"  // ObjectRef, Future, ActorHandle: ext 73 / 74
#include "goray/detail/encode.h"
#include "goray/detail/decode.h"
#include "goray/detail/struct_adaptor.h"
#include "goray/detail/array_codec.h"
#include "goray/detail/column_codec.h"  // string and binary columns: ext 78 / 79
#include "goray/value.h"  // goray::Value, which Encode and Decode take like any type
// After these:
//   template <class T> std::string goray::codec::TypeName();
//   template <class T> void goray::codec::Encode(Packer&, const T&);
//   template <class T> void goray::codec::DecodeInto(const msgpack::object&, T&);
//   template <class T> T goray::codec::Decode(const msgpack::object&);
