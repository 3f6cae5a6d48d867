// Large fresh blocks backed by transparent huge pages, the way NumPy backs its
// arrays. With THP in `madvise` mode a fresh block faults in 4 KiB pages (one
// fault per page: most of the cost of filling 64 MiB) unless the memory is
// madvised MADV_HUGEPAGE; blocks of kBigBlockBytes or more are. Where madvise
// is unavailable or fails, the memory is used as it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#if defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace goray::detail {

// NumPy's threshold for madvising its arrays.
inline constexpr std::size_t kBigBlockBytes = std::size_t{4} << 20;
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// Asks for huge pages over the whole pages of [address, address + bytes).
inline void AdviseHugePages(void* address, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(address) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(address) + bytes + page - 1) & ~(page - 1);
  (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)address;
  (void)bytes;
#endif
}

// madvises a malloc'ed block of kBigBlockBytes or more, over all of the
// allocator's block (malloc_usable_size): glibc serves such blocks with their
// own mapping, and madvising exactly that mapping keeps it one mapping, so a
// later realloc can still move it with mremap instead of copying.
inline void AdviseMallocBlock(void* block, std::size_t bytes) noexcept {
  if (block == nullptr || bytes < kBigBlockBytes) return;
#if defined(__linux__)
  const std::size_t usable = malloc_usable_size(block);
  AdviseHugePages(block, usable > bytes ? usable : bytes);
#endif
}

// A zero-filled block of `bytes` bytes (at least 1, so get() is never null),
// aligned to at least 16 bytes, freed when the last owner lets go. Small
// blocks come from calloc; big ones are an anonymous mapping aligned to 2 MiB
// and madvised for huge pages (fresh mappings read as zero: no memset pass).
inline std::shared_ptr<void> ZeroedBlock(std::size_t bytes) {
#if defined(__linux__)
  if (bytes >= kBigBlockBytes && bytes <= SIZE_MAX - 2 * kHugePageBytes) {
    const std::size_t length = (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
    const std::size_t mapped = length + kHugePageBytes;  // room to align the start
    void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw != MAP_FAILED) {
      const auto start = reinterpret_cast<std::uintptr_t>(raw);
      const auto aligned = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
      // Unmap the slack before and after the aligned range.
      if (aligned > start) munmap(raw, aligned - start);
      const std::size_t tail = start + mapped - (aligned + length);
      if (tail > 0) munmap(reinterpret_cast<void*>(aligned + length), tail);
      void* block = reinterpret_cast<void*>(aligned);
      AdviseHugePages(block, length);
      return std::shared_ptr<void>(block, [length](void* pointer) { munmap(pointer, length); });
    }
    // No mapping: calloc below reports the failure (or finds the memory).
  }
#endif
  void* block = std::calloc(bytes == 0 ? 1 : bytes, 1);
  if (block == nullptr) throw std::bad_alloc();
  return std::shared_ptr<void>(block, [](void* pointer) { std::free(pointer); });
}

// A copy of `bytes` bytes at `data` in a block of its own (ZeroedBlock's).
inline std::shared_ptr<void> CopiedBlock(const void* data, std::size_t bytes) {
  if (bytes < kBigBlockBytes) {
    void* block = std::malloc(bytes == 0 ? 1 : bytes);
    if (block == nullptr) throw std::bad_alloc();
    if (bytes != 0) std::memcpy(block, data, bytes);
    return std::shared_ptr<void>(block, [](void* pointer) { std::free(pointer); });
  }
  std::shared_ptr<void> block = ZeroedBlock(bytes);
  std::memcpy(block.get(), data, bytes);
  return block;
}

}  // namespace goray::detail
