// Bump allocator for many small, same-lifetime byte strings (interned label
// symbols, parser scratch). Thread-compatible: callers lock.
//
//   Arena arena;
//   std::string_view s = arena.Copy("job");  // lives as long as `arena`
#ifndef PROMLET_BASE_ARENA_H_
#define PROMLET_BASE_ARENA_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace promlet::base {

class Arena {
 public:
  explicit Arena(size_t block_size_bytes = 64 * 1024)
      : block_size_bytes_(block_size_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns n bytes aligned to `align`, valid until the arena is destroyed.
  char* Allocate(size_t n, size_t align = 1);

  // Copies s into the arena and returns a view of the copy.
  std::string_view Copy(std::string_view s) {
    char* p = Allocate(s.size());
    if (!s.empty()) std::copy(s.begin(), s.end(), p);
    return {p, s.size()};
  }

  // Bytes reserved from the system, including unused block tails.
  size_t MemoryUsageBytes() const { return memory_usage_bytes_; }

 private:
  char* AllocateNewBlock(size_t n);

  const size_t block_size_bytes_;
  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  size_t memory_usage_bytes_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

}  // namespace promlet::base

#endif  // PROMLET_BASE_ARENA_H_
