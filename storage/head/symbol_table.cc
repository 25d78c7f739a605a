#include "storage/head/symbol_table.h"

namespace promlet::storage::head {

uint32_t SymbolTable::Intern(std::string_view s) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
  }
  absl::MutexLock lock(&mu_);
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  const std::string_view copy = arena_.Copy(s);
  const auto id = static_cast<uint32_t>(strings_.size());
  strings_.push_back(copy);
  ids_.emplace(copy, id);
  return id;
}

size_t SymbolTable::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return strings_.size();
}

size_t SymbolTable::MemoryBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  return arena_.MemoryUsageBytes() + strings_.capacity() * sizeof(std::string_view) +
         ids_.capacity() * (sizeof(std::string_view) + sizeof(uint32_t) + 1);
}

}  // namespace promlet::storage::head
