// Interned label strings. Each distinct name or value is stored once, in an
// arena, and series refer to it by a 32-bit id.
//
//   SymbolTable syms;
//   uint32_t id = syms.Intern("job");
//   std::string_view s = syms.Get(id);  // valid for the table's lifetime
#ifndef PROMLET_STORAGE_HEAD_SYMBOL_TABLE_H_
#define PROMLET_STORAGE_HEAD_SYMBOL_TABLE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "base/arena.h"
#include "base/strings.h"

namespace promlet::storage::head {

// Thread-safe. Symbols are never freed while the table lives (the head is
// rebuilt from the WAL on restart, which drops unused ones).
class SymbolTable {
 public:
  SymbolTable() : arena_(256 * 1024) {}
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // Returns the id of s, adding it if new.
  uint32_t Intern(std::string_view s);
  // REQUIRES: id came from Intern(). The view lives as long as the table.
  std::string_view Get(uint32_t id) const {
    absl::ReaderMutexLock lock(&mu_);
    return strings_[id];
  }
  // Resolves many ids under one lock acquisition.
  void GetMany(const uint32_t* ids, size_t n, std::string_view* out) const {
    absl::ReaderMutexLock lock(&mu_);
    for (size_t i = 0; i < n; ++i) out[i] = strings_[ids[i]];
  }

  size_t size() const;
  size_t MemoryBytes() const;

 private:
  mutable absl::Mutex mu_;
  base::Arena arena_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string_view> strings_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string_view, uint32_t, base::StringHash, base::StringEq> ids_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_SYMBOL_TABLE_H_
