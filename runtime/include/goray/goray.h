// goray for C++: the one header an application includes.
#pragma once

#include "goray/detail/toolchain_check.h"  // first: refuses flags the prebuilt runtime cannot share
#include "goray/actor_handle.h"
#include "goray/actor_handle_of.h"
#include "goray/annotations.h"
#include "goray/array.h"
#include "goray/batch.h"
#include "goray/codec.h"
#include "goray/column.h"
#include "goray/errors.h"
#include "goray/future.h"
#include "goray/generator.h"
#include "goray/local.h"
#include "goray/map.h"
#include "goray/object_ref.h"
#include "goray/options.h"
#include "goray/registry.h"
#include "goray/remote.h"
#include "goray/stream.h"
#include "goray/unresolved.h"
#include "goray/value.h"
#include "goray/version.h"
