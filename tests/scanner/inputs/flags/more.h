// Not in the compilation database: its command is inferred from flags.cpp's.
#pragma once
#ifndef GORAY_TEST_FLAG
#error "GORAY_TEST_FLAG comes from compile_commands.json"
#endif
#include <goray/annotations.h>

struct GORAY_TASKS MoreFlags {
  int Other();
};
