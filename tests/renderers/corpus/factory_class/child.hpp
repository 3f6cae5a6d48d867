// The class a factory builds, declaring no method of its own: no IDL location names
// this file, yet the table registers &::Child::Get, so the generated header includes it.
#pragma once

#include "parent.hpp"

struct Child : Parent {};
