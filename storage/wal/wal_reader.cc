#include "storage/wal/wal_reader.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/wal/wal.h"

namespace promlet::storage::wal {

SegmentReader::SegmentReader(const base::RandomAccessFile* file) : file_(file) {}

bool SegmentReader::Fail(uint64_t offset, std::string_view why, bool torn) {
  status_ = absl::DataLossError(
      absl::StrCat("wal segment ", file_->path(), " offset ", offset, ": ", base::Absl(why)));
  torn_ = torn;
  done_ = true;
  return false;
}

bool SegmentReader::LoadPage() {
  if (page_.size() != kPageSize) page_.resize(kPageSize);
  absl::StatusOr<std::string_view> got = file_->Read(page_start_, kPageSize, page_.data());
  if (!got.ok()) {
    status_ = got.status();
    done_ = true;
    return false;
  }
  page_data_ = *got;
  pos_ = 0;
  page_loaded_ = true;
  return true;
}

bool SegmentReader::Next() {
  if (done_) return false;
  bool in_record = false;
  assembled_.clear();
  auto at_end = [&]() {
    done_ = true;
    if (in_record) return Fail(page_start_ + pos_, "record cut off by end of file", true);
    return false;
  };
  while (true) {
    if (!page_loaded_ && !LoadPage()) return false;
    const size_t page_left = kPageSize - pos_;
    const size_t avail = page_data_.size() - pos_;
    if (page_left < kHeaderSize) {
      // Page trailer: zero bytes up to the page end.
      for (size_t i = pos_; i < page_data_.size(); ++i) {
        if (page_data_[i] != 0) return Fail(page_start_ + i, "non-zero page padding", false);
      }
      if (page_data_.size() < kPageSize) return at_end();
      page_start_ += kPageSize;
      page_loaded_ = false;
      continue;
    }
    if (avail == 0) return at_end();
    const uint64_t offset = page_start_ + pos_;
    if (avail < kHeaderSize) return Fail(offset, "fragment header cut off by end of file", true);
    const char* h = page_data_.data() + pos_;
    const uint8_t type = static_cast<uint8_t>(h[0]);
    const size_t len = static_cast<uint8_t>(h[1]) | (static_cast<size_t>(static_cast<uint8_t>(h[2])) << 8);
    if (type < static_cast<uint8_t>(FragmentType::kFull) ||
        type > static_cast<uint8_t>(FragmentType::kLast)) {
      return Fail(offset, absl::StrCat("invalid fragment type ", type), false);
    }
    if (len > page_left - kHeaderSize) return Fail(offset, "fragment length past page end", false);
    if (kHeaderSize + len > avail) return Fail(offset, "fragment cut off by end of file", true);
    std::string_view payload(h + kHeaderSize, len);
    uint32_t crc = base::Crc32cExtend(0, h, 1);
    crc = base::Crc32cExtend(crc, payload.data(), payload.size());
    if (crc != base::DecodeFixed32(h + 3)) return Fail(offset, "crc mismatch", false);
    pos_ += kHeaderSize + len;
    switch (static_cast<FragmentType>(type)) {
      case FragmentType::kFull:
        if (in_record) return Fail(offset, "full fragment inside a record", false);
        record_ = payload;
        good_offset_ = page_start_ + pos_;
        return true;
      case FragmentType::kFirst:
        if (in_record) return Fail(offset, "first fragment inside a record", false);
        assembled_.assign(payload.data(), payload.size());
        in_record = true;
        break;
      case FragmentType::kMiddle:
        if (!in_record) return Fail(offset, "middle fragment outside a record", false);
        assembled_.append(payload.data(), payload.size());
        break;
      case FragmentType::kLast:
        if (!in_record) return Fail(offset, "last fragment outside a record", false);
        assembled_.append(payload.data(), payload.size());
        record_ = assembled_;
        good_offset_ = page_start_ + pos_;
        return true;
    }
  }
}

absl::StatusOr<int> LastCheckpoint(base::Env* env, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  int last = -1;
  for (const std::string& name : names) {
    int index;
    if (ParseCheckpointName(name, &index) && env->IsDirectory(base::JoinPath(dir, name))) {
      last = std::max(last, index);
    }
  }
  return last;
}

namespace {

// Reads one segment file. On DataLoss *good_offset is where the last whole
// record ends and *torn tells whether the file just ended too early.
absl::Status ReadOneSegment(base::Env* env, const std::string& path, const RecordFn& fn,
                            ReplayStats* stats, uint64_t* good_offset, bool* torn) {
  ASSIGN_OR_RETURN(std::unique_ptr<base::RandomAccessFile> file, env->NewRandomAccessFile(path));
  SegmentReader r(file.get());
  while (r.Next()) {
    RETURN_IF_ERROR(fn(r.record()));
    if (stats != nullptr) {
      ++stats->records;
      stats->bytes += static_cast<int64_t>(r.record().size());
    }
  }
  *good_offset = r.good_offset();
  *torn = r.torn();
  return r.status();
}

absl::Status ReplayCheckpoint(base::Env* env, const std::string& dir, const RecordFn& fn,
                              ReplayStats* stats) {
  ASSIGN_OR_RETURN(std::vector<int> segs, ListSegments(env, dir));
  for (int s : segs) {
    uint64_t good = 0;
    bool torn = false;
    absl::Status st = ReadOneSegment(env, base::JoinPath(dir, SegmentName(s)), fn, stats,
                                     &good, &torn);
    if (st.code() == absl::StatusCode::kDataLoss) {
      // Checkpoints are immutable: report, skip the rest, keep starting.
      ++stats->corruptions;
      LOG_WARN("wal checkpoint corrupt, skipping the rest of it", "dir", dir, "err",
               st.ToString());
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(st);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReplayWal(base::Env* env, const std::string& dir, const RecordFn& fn,
                       ReplayStats* stats) {
  *stats = ReplayStats{};
  RETURN_IF_ERROR(env->CreateDirs(dir));
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& name : names) {
    if (absl::StartsWith(name, "checkpoint.") && absl::EndsWith(name, ".tmp")) {
      RETURN_IF_ERROR(env->RemoveDirRecursive(base::JoinPath(dir, name)));
    }
  }
  ASSIGN_OR_RETURN(stats->checkpoint, LastCheckpoint(env, dir));
  if (stats->checkpoint >= 0) {
    RETURN_IF_ERROR(
        ReplayCheckpoint(env, base::JoinPath(dir, CheckpointName(stats->checkpoint)), fn, stats));
  }
  ASSIGN_OR_RETURN(std::vector<int> all, ListSegments(env, dir));
  std::vector<int> segs;
  for (int s : all) {
    if (s > stats->checkpoint) segs.push_back(s);
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    const int seg = segs[i];
    if (i > 0 && seg != segs[i - 1] + 1) {
      LOG_WARN("wal segments missing", "dir", dir, "after", SegmentName(segs[i - 1]), "next",
               SegmentName(seg));
    }
    if (stats->first_segment < 0) stats->first_segment = seg;
    stats->last_segment = seg;
    const std::string path = base::JoinPath(dir, SegmentName(seg));
    uint64_t good = 0;
    bool torn = false;
    absl::Status st = ReadOneSegment(env, path, fn, stats, &good, &torn);
    if (st.ok()) continue;
    if (st.code() != absl::StatusCode::kDataLoss) return st;
    // Repair: cut this segment at its last whole record, drop what follows.
    ASSIGN_OR_RETURN(uint64_t size, env->FileSize(path));
    RETURN_IF_ERROR(env->Truncate(path, good));
    for (size_t j = i + 1; j < segs.size(); ++j) {
      RETURN_IF_ERROR(env->RemoveFile(base::JoinPath(dir, SegmentName(segs[j]))));
      ++stats->removed_segments;
    }
    RETURN_IF_ERROR(env->SyncDir(dir));
    ++stats->corruptions;
    stats->truncated_bytes += static_cast<int64_t>(size - good);
    LOG_WARN(torn ? "wal torn tail truncated" : "wal corruption repaired, later records lost",
             "segment", SegmentName(seg), "offset", good, "truncated_bytes", size - good,
             "removed_segments", segs.size() - i - 1, "err", st.message());
    break;
  }
  return absl::OkStatus();
}

absl::Status ReadSegments(base::Env* env, const std::string& dir, int first, int last,
                          const RecordFn& fn) {
  ASSIGN_OR_RETURN(std::vector<int> segs, ListSegments(env, dir));
  for (int s : segs) {
    if (s < first || s > last) continue;
    uint64_t good = 0;
    bool torn = false;
    RETURN_IF_ERROR(
        ReadOneSegment(env, base::JoinPath(dir, SegmentName(s)), fn, nullptr, &good, &torn));
  }
  return absl::OkStatus();
}

}  // namespace promlet::storage::wal
