#include "storage/block/chunk_file.h"

#include <lz4.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "storage/block/block_format.h"
#include "storage/block/chunk_codec.h"

namespace promlet::storage::block {
namespace {

absl::Status Corrupt(uint64_t offset, std::string_view what) {
  return absl::DataLossError(absl::StrCat("chunk file offset ", offset, ": ", std::string(what)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChunkFileWriter>> ChunkFileWriter::Create(base::Env* env,
                                                                         const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<base::WritableFile> f, env->NewWritableFile(path));
  std::string header;
  base::PutFixed32(&header, kChunkFileMagic);
  header.push_back(static_cast<char>(kFormatVersion));
  header.append(3, '\0');
  RETURN_IF_ERROR(f->Append(header));
  return std::unique_ptr<ChunkFileWriter>(new ChunkFileWriter(std::move(f)));
}

absl::StatusOr<uint64_t> ChunkFileWriter::AddEntry(std::string_view entry) {
  if (!ends_.empty() && (entries_.size() + entry.size() > kPageTargetBytes ||
                         ends_.size() >= kMaxEntriesPerPage)) {
    RETURN_IF_ERROR(FlushPage());
  }
  entries_.append(entry.data(), entry.size());
  ends_.push_back(static_cast<uint32_t>(entries_.size()));
  return MakeChunkRef(file_->Size(), static_cast<uint32_t>(ends_.size() - 1));
}

absl::StatusOr<uint64_t> ChunkFileWriter::AddTimestamps(const int64_t* ts, size_t n) {
  scratch_.clear();
  scratch_.push_back(static_cast<char>(kEntryTimestamps));
  base::PutVarint64(&scratch_, n);
  EncodeInts(ts, n, &scratch_);
  auto it = ts_refs_.find(scratch_);
  if (it != ts_refs_.end()) return it->second;
  ASSIGN_OR_RETURN(uint64_t ref, AddEntry(scratch_));
  ts_refs_.emplace(scratch_, ref);
  return ref;
}

absl::StatusOr<uint64_t> ChunkFileWriter::AddSeriesChunk(uint64_t ts_ref, const double* v, size_t n,
                                                         std::string_view group) {
  scratch_.clear();
  scratch_.push_back(static_cast<char>(kEntrySeriesChunk));
  base::PutVarint64(&scratch_, n);
  base::PutVarint64(&scratch_, ts_ref);
  const size_t header = scratch_.size();
  EncodeValues(v, n, &scratch_);
  int64_t ints[kMaxChunkSamples];
  int scale = 0;
  const bool is_int = !group.empty() && static_cast<uint8_t>(scratch_[header]) == kValuesInt &&
                      ToScaledInts(v, n, ints, &scale);
  std::vector<Reference>* refs = nullptr;
  if (is_int) {
    group_key_.assign(group.data(), group.size());
    base::PutFixed64(&group_key_, ts_ref);
    auto rit = references_.find(group_key_);
    if (rit != references_.end()) {
      refs = &rit->second;
    } else if (references_.size() < kMaxReferences) {
      refs = &references_[group_key_];
    }
    // Try each reference of the group; keep the smallest encoding.
    for (const Reference& r : refs ? *refs : std::vector<Reference>{}) {
      if (r.ints.size() != n) continue;
      alt_.assign(scratch_, 0, header);
      alt_.push_back(static_cast<char>(kValuesRegress));
      base::PutVarint64(&alt_, r.ref);
      alt_.push_back(static_cast<char>(scale));
      if (EncodeRegress(ints, r.ints.data(), n, &alt_) && alt_.size() < scratch_.size()) {
        scratch_.swap(alt_);
      }
    }
  }
  // Identical chunks (a histogram's +Inf bucket and its _count, series that
  // are all zero) are stored once and shared.
  auto it = chunk_refs_.find(scratch_);
  if (it != chunk_refs_.end()) return it->second;
  ASSIGN_OR_RETURN(uint64_t ref, AddEntry(scratch_));
  chunk_refs_.emplace(scratch_, ref);
  if (refs != nullptr && static_cast<uint8_t>(scratch_[header]) == kValuesInt) {
    // Keep the widest-ranging integer chunks as references: a counter that
    // the others are proportional to (a histogram's +Inf bucket) predicts best.
    int64_t lo = ints[0], hi = ints[0];
    for (size_t i = 1; i < n; ++i) {
      lo = std::min(lo, ints[i]);
      hi = std::max(hi, ints[i]);
    }
    uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    Reference nr{ref, range, std::vector<int64_t>(ints, ints + n)};
    if (refs->size() < kReferencesPerGroup) {
      refs->push_back(std::move(nr));
    } else {
      auto min = std::min_element(refs->begin(), refs->end(),
                                  [](const Reference& a, const Reference& b) { return a.range < b.range; });
      if (min->range < range) *min = std::move(nr);
    }
  }
  return ref;
}

absl::Status ChunkFileWriter::FlushPage() {
  if (ends_.empty()) return absl::OkStatus();
  page_.clear();
  base::PutVarint64(&page_, ends_.size());
  for (uint32_t e : ends_) base::PutVarint64(&page_, e);
  page_.append(entries_);
  compressed_.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(page_.size()))));
  int c = LZ4_compress_default(page_.data(), compressed_.data(), static_cast<int>(page_.size()),
                               static_cast<int>(compressed_.size()));
  uint8_t codec = kPageLz4;
  std::string_view stored;
  if (c > 0 && static_cast<size_t>(c) < page_.size()) {
    stored = std::string_view(compressed_.data(), static_cast<size_t>(c));
  } else {
    codec = kPageRaw;
    stored = page_;
  }
  std::string header;
  base::PutFixed32(&header, static_cast<uint32_t>(page_.size()));
  base::PutFixed32(&header, static_cast<uint32_t>(stored.size()));
  header.push_back(static_cast<char>(codec));
  base::PutFixed32(&header, base::Crc32c(stored));
  RETURN_IF_ERROR(file_->Append(header));
  RETURN_IF_ERROR(file_->Append(stored));
  entries_.clear();
  ends_.clear();
  return absl::OkStatus();
}

absl::Status ChunkFileWriter::Finish() {
  RETURN_IF_ERROR(FlushPage());
  RETURN_IF_ERROR(file_->Sync());
  return file_->Close();
}

absl::Status DecodePage(std::string_view file, uint64_t offset, std::string* raw,
                        std::vector<uint32_t>* ends, size_t* data_start, uint64_t* next_offset) {
  if (offset < kFileHeaderSize || offset > file.size() || file.size() - offset < kPageHeaderSize) {
    return Corrupt(offset, "page header out of range");
  }
  const char* h = file.data() + offset;
  uint32_t raw_len = base::DecodeFixed32(h);
  uint32_t stored_len = base::DecodeFixed32(h + 4);
  uint8_t codec = static_cast<uint8_t>(h[8]);
  uint32_t crc = base::DecodeFixed32(h + 9);
  if (raw_len > kMaxPageRawBytes || stored_len > file.size() - offset - kPageHeaderSize) {
    return Corrupt(offset, "page length out of range");
  }
  std::string_view stored(h + kPageHeaderSize, stored_len);
  if (base::Crc32c(stored) != crc) return Corrupt(offset, "page crc mismatch");
  if (codec == kPageRaw) {
    if (stored_len != raw_len) return Corrupt(offset, "raw page length mismatch");
    raw->assign(stored.data(), stored.size());
  } else if (codec == kPageLz4) {
    raw->resize(raw_len);
    int n = LZ4_decompress_safe(stored.data(), raw->data(), static_cast<int>(stored_len),
                                static_cast<int>(raw_len));
    if (n < 0 || static_cast<uint32_t>(n) != raw_len) return Corrupt(offset, "lz4 page does not decode");
  } else {
    return Corrupt(offset, "unknown page codec");
  }
  std::string_view in(*raw);
  uint64_t count;
  if (!base::GetVarint64(&in, &count) || count == 0 || count > kMaxEntriesPerPage ||
      count > in.size()) {
    return Corrupt(offset, "bad entry count");
  }
  ends->clear();
  uint64_t prev = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t e;
    if (!base::GetVarint64(&in, &e) || e < prev) return Corrupt(offset, "bad entry offsets");
    ends->push_back(static_cast<uint32_t>(e));
    prev = e;
  }
  if (prev != in.size()) return Corrupt(offset, "entry offsets do not match page size");
  *data_start = raw->size() - in.size();
  *next_offset = offset + kPageHeaderSize + stored_len;
  return absl::OkStatus();
}

absl::StatusOr<ChunkFileReader> ChunkFileReader::Open(std::string_view data) {
  if (data.size() < kFileHeaderSize || base::DecodeFixed32(data.data()) != kChunkFileMagic) {
    return absl::DataLossError("chunk file: bad magic");
  }
  if (static_cast<uint8_t>(data[4]) != kFormatVersion) {
    return absl::DataLossError("chunk file: unsupported version");
  }
  if (data[5] != 0 || data[6] != 0 || data[7] != 0) {
    return absl::DataLossError("chunk file: bad header padding");
  }
  return ChunkFileReader(data);
}

absl::Status ChunkFileReader::Verify() const {
  std::string raw;
  std::vector<uint32_t> ends;
  size_t data_start;
  uint64_t off = kFileHeaderSize;
  while (off < data_.size()) {
    uint64_t next;
    RETURN_IF_ERROR(DecodePage(data_, off, &raw, &ends, &data_start, &next));
    off = next;
  }
  return absl::OkStatus();
}

absl::StatusOr<const PageCache::Page*> PageCache::GetPage(uint64_t offset) {
  for (const Page& p : pages_) {
    if (p.offset == offset) return &p;
  }
  Page& p = pages_[next_victim_];
  next_victim_ = (next_victim_ + 1) % pages_.size();
  p.offset = UINT64_MAX;
  uint64_t next;
  RETURN_IF_ERROR(DecodePage(reader_->data(), offset, &p.raw, &p.ends, &p.data_start, &next));
  p.offset = offset;
  return &p;
}

absl::StatusOr<std::string_view> PageCache::Entry(uint64_t ref) {
  ASSIGN_OR_RETURN(const Page* p, GetPage(ChunkRefPage(ref)));
  uint32_t i = ChunkRefEntry(ref);
  if (i >= p->ends.size()) return Corrupt(ChunkRefPage(ref), "entry index out of range");
  uint32_t begin = i == 0 ? 0 : p->ends[i - 1];
  return std::string_view(p->raw).substr(p->data_start + begin, p->ends[i] - begin);
}

absl::StatusOr<ReferenceCache::Ints> PageCache::DecodeReference(uint64_t base_ref, size_t count) {
  ASSIGN_OR_RETURN(std::string_view r, Entry(base_ref));
  uint64_t rn, rts;
  uint8_t rscale;
  if (r.size() < 2 || static_cast<uint8_t>(r[0]) != kEntrySeriesChunk) {
    return Corrupt(ChunkRefPage(base_ref), "regression reference is not a series chunk");
  }
  r.remove_prefix(1);
  if (!base::GetVarint64(&r, &rn) || rn != count || !base::GetVarint64(&r, &rts) || r.size() < 2 ||
      static_cast<uint8_t>(r[0]) != kValuesInt || (rscale = static_cast<uint8_t>(r[1])) > kMaxDecimalScale) {
    return Corrupt(ChunkRefPage(base_ref), "bad regression reference");
  }
  r.remove_prefix(2);
  auto ints = std::make_shared<std::vector<int64_t>>(rn);
  if (!DecodeInts(&r, rn, ints->data())) return Corrupt(ChunkRefPage(base_ref), "bad reference ints");
  return ints;
}

absl::Status PageCache::ReadRegress(uint64_t ref, std::string_view e, size_t count, size_t first,
                                    size_t end, double* values) {
  uint64_t base_ref;
  e.remove_prefix(1);
  if (!base::GetVarint64(&e, &base_ref) || e.empty() || static_cast<uint8_t>(e[0]) > kMaxDecimalScale) {
    return Corrupt(ChunkRefPage(ref), "bad regression header");
  }
  const int scale = static_cast<uint8_t>(e[0]);
  e.remove_prefix(1);
  body_.assign(e.data(), e.size());  // Entry() below may evict this page
  auto cached = ref_ints_.find(base_ref);
  if (cached == ref_ints_.end()) {
    ReferenceCache::Ints ints = reader_->references()->Find(base_ref);
    if (ints == nullptr) {
      ASSIGN_OR_RETURN(ints, DecodeReference(base_ref, count));
      reader_->references()->Insert(base_ref, ints);
    }
    if (ref_ints_.size() >= kMaxReferences) ref_ints_.clear();
    cached = ref_ints_.emplace(base_ref, std::move(ints)).first;
  }
  const std::vector<int64_t>& ref_ints = *cached->second;
  if (ref_ints.size() != count) return Corrupt(ChunkRefPage(ref), "regression reference length mismatch");
  ints_.resize(end - first);
  std::string_view body = body_;
  if (!DecodeRegressRange(&body, ref_ints.data(), count, first, end, ints_.data())) {
    return Corrupt(ChunkRefPage(ref), "bad regression values");
  }
  ScaledToDoubles(ints_.data(), end - first, scale, values);
  return absl::OkStatus();
}

ReferenceCache::Ints ReferenceCache::Find(uint64_t ref) const {
  absl::MutexLock lock(&mu_);
  auto it = ints_.find(ref);
  return it == ints_.end() ? nullptr : it->second;
}

void ReferenceCache::Insert(uint64_t ref, Ints ints) {
  absl::MutexLock lock(&mu_);
  if (ints_.size() >= kMaxEntries) ints_.clear();
  ints_.emplace(ref, std::move(ints));
}

size_t ReferenceCache::size() const {
  absl::MutexLock lock(&mu_);
  return ints_.size();
}

absl::Status PageCache::SeriesChunkHeader(uint64_t ref, size_t* count, uint64_t* ts_ref,
                                          std::string_view* values) {
  ASSIGN_OR_RETURN(std::string_view e, Entry(ref));
  uint64_t c;
  if (e.empty() || static_cast<uint8_t>(e[0]) != kEntrySeriesChunk) {
    return Corrupt(ChunkRefPage(ref), "not a series chunk");
  }
  e.remove_prefix(1);
  if (!base::GetVarint64(&e, &c) || c == 0 || c > kMaxChunkSamples || !base::GetVarint64(&e, ts_ref)) {
    return Corrupt(ChunkRefPage(ref), "bad series chunk header");
  }
  *count = c;
  *values = e;
  return absl::OkStatus();
}

absl::Status PageCache::LoadTimestampColumn(uint64_t ts_ref) {
  if (ts_ref == ts_ref_) return absl::OkStatus();
  ts_ref_ = UINT64_MAX;
  ASSIGN_OR_RETURN(std::string_view t, Entry(ts_ref));
  uint64_t tn;
  if (t.empty() || static_cast<uint8_t>(t[0]) != kEntryTimestamps) {
    return Corrupt(ChunkRefPage(ts_ref), "not a timestamp column");
  }
  t.remove_prefix(1);
  if (!base::GetVarint64(&t, &tn) || tn == 0 || tn > kMaxChunkSamples) {
    return Corrupt(ChunkRefPage(ts_ref), "bad timestamp column header");
  }
  ts_.resize(tn);
  if (!DecodeInts(&t, tn, ts_.data())) return Corrupt(ChunkRefPage(ts_ref), "bad timestamps");
  ts_n_ = tn;
  ts_ref_ = ts_ref;
  return absl::OkStatus();
}

absl::Status PageCache::ReadValues(uint64_t ref, size_t first, size_t n, double* values) {
  size_t count = 0;
  uint64_t ts_ref = 0;
  std::string_view e;
  RETURN_IF_ERROR(SeriesChunkHeader(ref, &count, &ts_ref, &e));
  if (n == 0 || first >= count || n > count - first) return Corrupt(ChunkRefPage(ref), "value index out of range");
  if (!e.empty() && static_cast<uint8_t>(e[0]) == kValuesRegress) {
    return ReadRegress(ref, e, count, first, first + n, values);
  }
  if (!DecodeValuesRange(&e, count, first, first + n, values)) {
    return Corrupt(ChunkRefPage(ref), "bad chunk values");
  }
  return absl::OkStatus();
}

absl::Status PageCache::ReadTimestamps(uint64_t ref, int64_t from_ms, int64_t to_ms, int64_t* ts,
                                       size_t* n, size_t* first) {
  size_t count = 0;
  uint64_t ts_ref = 0;
  std::string_view e;
  RETURN_IF_ERROR(SeriesChunkHeader(ref, &count, &ts_ref, &e));
  RETURN_IF_ERROR(LoadTimestampColumn(ts_ref));
  if (ts_n_ != count) return Corrupt(ChunkRefPage(ref), "timestamp column length mismatch");
  const auto begin = std::lower_bound(ts_.begin(), ts_.end(), from_ms);
  const auto end = std::upper_bound(begin, ts_.end(), to_ms);
  std::copy(begin, end, ts);
  *first = static_cast<size_t>(begin - ts_.begin());
  *n = static_cast<size_t>(end - begin);
  return absl::OkStatus();
}

absl::Status PageCache::ReadSeriesChunk(uint64_t ref, int64_t* ts, double* values, size_t* n) {
  size_t first;
  RETURN_IF_ERROR(ReadTimestamps(ref, INT64_MIN, INT64_MAX, ts, n, &first));
  return ReadValues(ref, 0, *n, values);
}

}  // namespace promlet::storage::block
