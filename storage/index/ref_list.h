// A compact sorted list of 32-bit series ids: 16 bytes with up to two ids
// inline, so the many label pairs that only one series has (instance ids,
// pod names) cost no extra allocation. Thread-compatible.
#ifndef PROMLET_STORAGE_INDEX_REF_LIST_H_
#define PROMLET_STORAGE_INDEX_REF_LIST_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace promlet::storage::index {

class RefList {
 public:
  RefList() : inline_{0, 0} {}
  ~RefList() {
    if (is_heap()) std::free(heap_);
  }
  RefList(RefList&& o) noexcept : size_(o.size_), cap_(o.cap_) {
    std::memcpy(&inline_, &o.inline_, sizeof(inline_));
    o.size_ = 0;
    o.cap_ = kInline;
  }
  RefList& operator=(RefList&& o) noexcept {
    if (this != &o) {
      this->~RefList();
      new (this) RefList(std::move(o));
    }
    return *this;
  }
  RefList(const RefList&) = delete;
  RefList& operator=(const RefList&) = delete;

  // Inserts id keeping the list sorted and distinct; O(1) when id is the
  // largest (new series get increasing ids).
  void Insert(uint32_t id);
  // Removes id if present; returns whether it was.
  bool Remove(uint32_t id);

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint32_t* data() const { return is_heap() ? heap_ : inline_; }
  const uint32_t* begin() const { return data(); }
  const uint32_t* end() const { return data() + size_; }
  // Bytes allocated outside the object.
  size_t HeapBytes() const { return is_heap() ? cap_ * sizeof(uint32_t) : 0; }

 private:
  static constexpr uint32_t kInline = 2;
  bool is_heap() const { return cap_ > kInline; }
  uint32_t* mutable_data() { return is_heap() ? heap_ : inline_; }

  uint32_t size_ = 0;
  uint32_t cap_ = kInline;
  union {
    uint32_t inline_[kInline];
    uint32_t* heap_;
  };
};

}  // namespace promlet::storage::index

#endif  // PROMLET_STORAGE_INDEX_REF_LIST_H_
