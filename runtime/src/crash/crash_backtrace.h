// The backtrace part of a crash report: unwinding and symbolizing with libbacktrace
// (GCC's, whose state is made at install so the handler only reads), frames of the
// application first.
#pragma once

#include <cstdint>

#include "crash/crash_writer.h"

namespace goray::detail::crash {

// Outside any signal handler, once: the symbolizer's state and the application
// library's address range (which frames are the user's).
void PrepareBacktrace();

// Writes the calling thread's backtrace. `fault_pc` is the instruction the signal
// interrupted (0 when unknown): frames above it (the handler's own) are skipped. With
// `skip_leading_runtime`, frames above the user's first (abort, raise, std::terminate)
// are counted, not listed. Frames below the user's last are counted too.
void WriteBacktrace(Writer& out, std::uintptr_t fault_pc, bool skip_leading_runtime);

}  // namespace goray::detail::crash
