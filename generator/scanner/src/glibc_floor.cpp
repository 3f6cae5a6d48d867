// What keeps the wheel's goray-scan at the glibc floor docs/install.md promises
// (manylinux_2_34): linked only into the statically linked scanner (cmake/static_llvm.cmake).
//
// LLVM's Support library (Process::GetRandomNumber) calls arc4random when the machine it was
// built on had one, and glibc has it only since 2.36: the link then needs GLIBC_2.36. The
// link wraps that one reference (--wrap=arc4random) to this definition, which reads the
// kernel's random source through getrandom (glibc 2.25).
#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

extern "C" std::uint32_t __wrap_arc4random() {  // NOLINT(bugprone-reserved-identifier)
  std::uint32_t value = 0;
  auto* out = reinterpret_cast<unsigned char*>(&value);
  std::size_t filled = 0;
  while (filled < sizeof value) {
    const ssize_t got = getrandom(out + filled, sizeof value - filled, 0);
    if (got > 0) {
      filled += static_cast<std::size_t>(got);
    } else if (got < 0 && errno != EINTR) {
      // arc4random cannot fail either: glibc's aborts when the kernel gives no randomness.
      std::abort();
    }
  }
  return value;
}
