// What the runtime learnt about the driver and forgets when the driver turns its features
// on (EnableFeatures, its handshake: runtime/src/features/features.cpp). Each is defined by the
// file that keeps that knowledge.
// Tests: tests/cpp/get_ahead_test.cpp
#pragma once

namespace goray::detail {

// get_objects.cpp: the pause that single Gets which brought nothing set on reading ahead.
void RestartReadAhead() noexcept;
// stream.cpp: whether the driver refused NextStreamRef's flags (it is asked again).
void ForgetStreamRequestForm() noexcept;

}  // namespace goray::detail
