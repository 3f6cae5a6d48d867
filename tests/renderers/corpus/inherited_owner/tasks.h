// A GORAY_TASKS struct whose tasks are all inherited: no IDL location names this file,
// yet the table names ::Tasks, so the generated header must include it.
#pragma once

#include <goray/annotations.h>

#include "base.hpp"

struct GORAY_TASKS Tasks : Base {};
