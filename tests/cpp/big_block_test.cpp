// Large fresh blocks (Array storage, decode copies, the encode Buffer) are
// madvised for transparent huge pages; small ones are left alone; contents and
// ownership (zero fill, free()-able released buffers) are unchanged.
#include <gtest/gtest.h>
#include <malloc.h>

#include <goray/goray.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// glibc raises its mmap threshold once a big mapped block is freed, then serves big
// blocks from the heap: a madvised one leaves its part of the heap flagged "hg", where a
// later small block may land (SmallArrayStorageIsNotAdvised failed so, shuffled after
// tests of big blocks in one process). glibc's first threshold, fixed before any test,
// keeps every block of 128 KiB or more in a mapping of its own: each test sees its own
// block's flags whatever ran before (other files' tests included, in the shuffled run).
// (A sanitizer's allocator, which has no such threshold, refuses it: nothing to fix there.)
[[maybe_unused]] const int kMmapThresholdFixed = mallopt(M_MMAP_THRESHOLD, 128 * 1024);

// The /proc/self/smaps entry of the mapping that holds `address`.
struct Mapping {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  std::string flags;  // the VmFlags line's words, each followed by a space
  bool found = false;
  bool Advised() const { return flags.find(" hg ") != std::string::npos; }
};

Mapping MappingOf(const void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  Mapping mapping;
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream words(line);
    // A mapping's header line: "begin-end perms offset dev inode [path]".
    if (words >> std::hex >> begin >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      inside = begin <= at && at < end;
      if (inside) mapping = Mapping{begin, end, "", true};
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) mapping.flags = line.substr(8) + " ";
  }
  return mapping;
}

TEST(BigBlock, SmallArrayStorageIsNotAdvised) {
  auto small = goray::Array<double>::Zeros({static_cast<std::int64_t>(kMiB / 8)});
  const Mapping mapping = MappingOf(small.data());
  ASSERT_TRUE(mapping.found);
  EXPECT_FALSE(mapping.Advised()) << "VmFlags:" << mapping.flags;
}

TEST(BigBlock, LargeArrayStorageIsAdvisedAndAligned) {
  auto large = goray::Array<double>::Zeros({static_cast<std::int64_t>(8 * kMiB / 8)});
  const Mapping mapping = MappingOf(large.data());
  ASSERT_TRUE(mapping.found);
  EXPECT_TRUE(mapping.Advised()) << "VmFlags:" << mapping.flags;
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large.data()) % (2 * kMiB), 0u);
  EXPECT_GE(mapping.end, reinterpret_cast<std::uintptr_t>(large.data() + large.size()));
}

TEST(BigBlock, LargeZerosIsAllZeroAndWritableToTheEnd) {
  // Not a multiple of the huge page size: the block is rounded up internally.
  const std::int64_t count = static_cast<std::int64_t>((5 * kMiB + 24) / 8);
  auto zeros = goray::Array<double>::Zeros({count});
  for (double value : zeros) ASSERT_EQ(value, 0.0);
  zeros[count - 1] = 7.0;
  EXPECT_EQ(zeros[count - 1], 7.0);
  // A copy is a fresh zeroed block, filled.
  goray::Array<double> copy = zeros;
  EXPECT_NE(copy.data(), zeros.data());
  EXPECT_EQ(copy[count - 1], 7.0);
  EXPECT_EQ(copy[0], 0.0);
}

TEST(BigBlock, CopiedBlockIsAdvisedAndByteIdentical) {
  std::vector<unsigned char> source(6 * kMiB + 3);
  for (std::size_t i = 0; i < source.size(); ++i) source[i] = static_cast<unsigned char>(i * 31);
  auto copy = goray::detail::CopiedBlock(source.data(), source.size());
  EXPECT_EQ(std::memcmp(copy.get(), source.data(), source.size()), 0);
  EXPECT_TRUE(MappingOf(copy.get()).Advised());
  auto small = goray::detail::CopiedBlock(source.data(), 100);
  EXPECT_EQ(std::memcmp(small.get(), source.data(), 100), 0);
}

TEST(BigBlock, LargeArrayDecodedFromBytesIsAdvised) {
  auto array = goray::Array<std::int32_t>::Zeros({static_cast<std::int64_t>(6 * kMiB / 4)});
  array[12345] = 42;
  goray::codec::Buffer buffer;
  goray::codec::Packer packer(buffer);
  goray::codec::Encode(packer, array);
  msgpack::object_handle handle = msgpack::unpack(buffer.data(), buffer.size());
  auto decoded = goray::codec::Decode<goray::Array<std::int32_t>>(handle.get());
  ASSERT_EQ(decoded.size(), array.size());
  EXPECT_EQ(std::memcmp(decoded.data(), array.data(), array.ByteSize()), 0);
  EXPECT_TRUE(MappingOf(decoded.data()).Advised());
}

TEST(BigBlock, BufferGrowsPastTheThresholdAdvisedAndReleasesFreeableMemory) {
  goray::codec::Buffer buffer(256);
  std::vector<char> chunk(kMiB + 7);
  std::size_t written = 0;
  for (int round = 0; round < 24; ++round) {  // grows through realloc many times
    for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(i + round);
    buffer.write(chunk.data(), chunk.size());
    written += chunk.size();
  }
  ASSERT_EQ(buffer.size(), written);
  for (int round = 0; round < 24; ++round) {
    const char* at = buffer.data() + round * chunk.size();
    ASSERT_EQ(at[0], static_cast<char>(round));
    ASSERT_EQ(at[chunk.size() - 1], static_cast<char>(chunk.size() - 1 + round));
  }
  const Mapping mapping = MappingOf(buffer.data());
  EXPECT_TRUE(mapping.Advised()) << "VmFlags:" << mapping.flags;
  // One mapping holds the whole block (so realloc can keep remapping it).
  EXPECT_GE(mapping.end, reinterpret_cast<std::uintptr_t>(buffer.data()) + buffer.size());
  char* released = buffer.release();
  ASSERT_NE(released, nullptr);
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(buffer.data(), nullptr);
  std::free(released);  // what the driver's FreeMemory does
}

TEST(BigBlock, SmallBufferReleasesFreeableMemoryAndIsReusable) {
  // (Not whether its mapping is advised: a small block lands in the heap, whose mapping
  // an earlier test's large block may have advised, when the tests share a process.)
  goray::codec::Buffer buffer(256);
  buffer.write("abc", 3);
  char* released = buffer.release();
  ASSERT_NE(released, nullptr);
  EXPECT_EQ(std::memcmp(released, "abc", 3), 0);
  std::free(released);
  buffer.write("de", 2);  // after release: allocates again
  ASSERT_EQ(buffer.size(), 2u);
  EXPECT_EQ(std::memcmp(buffer.data(), "de", 2), 0);
  buffer.clear();
  EXPECT_EQ(buffer.size(), 0u);
  goray::codec::Buffer moved = std::move(buffer);
  moved.write("f", 1);
  EXPECT_EQ(moved.size(), 1u);
  goray::codec::Buffer empty(0);
  EXPECT_EQ(empty.release(), nullptr);
}

}  // namespace
