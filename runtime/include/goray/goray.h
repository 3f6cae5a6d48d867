// goray for C++: the one header an application includes.
#pragma once

#include "goray/annotations.h"
#include "goray/codec.h"
#include "goray/errors.h"
#include "goray/local.h"
#include "goray/registry.h"
#include "goray/value.h"
#include "goray/version.h"
