// The driver's callback: stored by RegisterCallback (abi.cpp), read by every call into
// the driver (driver_call.cpp).
// Tests: tests/cpp/abi_test.cpp
#include "calls_out/callback_slot.h"

#include <atomic>
#include <cstdio>

namespace goray::detail {
namespace {

std::atomic<DriverCallback> g_callback{nullptr};

}  // namespace

void InstallCallback(DriverCallback callback) {
  DriverCallback expected = nullptr;
  if (!g_callback.compare_exchange_strong(expected, callback) && expected != callback) {
    std::fputs("goray: RegisterCallback called again; keeping the first callback\n", stderr);
  }
}

DriverCallback InstalledCallback() { return g_callback.load(std::memory_order_acquire); }

}  // namespace goray::detail
