// Needs a flag that only the compilation database (or `--`) gives.
#ifndef GORAY_TEST_FLAG
#error "GORAY_TEST_FLAG comes from compile_commands.json"
#endif
#include <goray/annotations.h>

struct GORAY_TASKS Flags {
  int Value();
};
