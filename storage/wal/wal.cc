#include "storage/wal/wal.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/wal/wal_reader.h"

namespace promlet::storage::wal {

absl::StatusOr<std::vector<int>> ListSegments(base::Env* env, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  std::vector<int> segs;
  for (const std::string& name : names) {
    int index;
    if (ParseSegmentName(name, &index)) segs.push_back(index);
  }
  std::sort(segs.begin(), segs.end());
  return segs;
}

absl::Status RemoveSegmentsUpTo(base::Env* env, const std::string& dir, int last) {
  ASSIGN_OR_RETURN(std::vector<int> segs, ListSegments(env, dir));
  for (int s : segs) {
    if (s > last) break;
    RETURN_IF_ERROR(env->RemoveFile(base::JoinPath(dir, SegmentName(s))));
  }
  return env->SyncDir(dir);
}

Wal::Wal(base::Env* env, std::string dir, WalOptions options)
    : env_(env),
      dir_(std::move(dir)),
      options_(options),
      sync_thread_enabled_(options.sync_interval > absl::ZeroDuration()) {}

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(base::Env* env, std::string dir,
                                               WalOptions options) {
  if (options.segment_size_bytes < kPageSize) options.segment_size_bytes = kPageSize;
  RETURN_IF_ERROR(env->CreateDirs(dir));
  ASSIGN_OR_RETURN(std::vector<int> segs, ListSegments(env, dir));
  ASSIGN_OR_RETURN(int checkpoint, LastCheckpoint(env, dir));
  int next = std::max(segs.empty() ? 0 : segs.back() + 1, checkpoint + 1);
  std::unique_ptr<Wal> wal(new Wal(env, std::move(dir), options));
  {
    absl::MutexLock l(&wal->mu_);
    RETURN_IF_ERROR(wal->OpenSegment(next));
  }
  if (wal->sync_thread_enabled_) {
    wal->sync_thread_ = std::thread([w = wal.get()] { w->SyncLoop(); });
  }
  return wal;
}

Wal::~Wal() {
  absl::Status s = Close();
  if (!s.ok()) LOG_WARN("wal close failed", "dir", dir_, "err", s.ToString());
}

absl::Status Wal::OpenSegment(int index) {
  ASSIGN_OR_RETURN(std::unique_ptr<base::WritableFile> f,
                   env_->NewWritableFile(base::JoinPath(dir_, SegmentName(index))));
  // The new directory entry must survive a power loss with the data synced
  // into it later. On failure the empty file stays; the next try reuses it.
  RETURN_IF_ERROR(env_->SyncDir(dir_));
  file_ = std::move(f);
  segment_ = index;
  dirty_ = false;
  ++stats_.segments_created;
  return absl::OkStatus();
}

absl::Status Wal::CloseSegment() {
  if (file_ == nullptr) return absl::OkStatus();
  if (sync_thread_enabled_) {
    closed_segments_.push_back({std::move(file_), dirty_});
    file_.reset();
    return absl::OkStatus();
  }
  absl::Status s;
  if (dirty_) {
    s = file_->Sync();
    if (s.ok()) ++stats_.syncs;
  }
  absl::Status c = file_->Close();
  file_.reset();
  return s.ok() ? c : s;
}

absl::Status Wal::SyncAll() {
  std::vector<Closed> closed;
  std::shared_ptr<base::WritableFile> current;
  {
    absl::MutexLock l(&mu_);
    closed.swap(closed_segments_);
    if (dirty_ && file_ != nullptr) {
      current = file_;
      dirty_ = false;
    }
  }
  absl::Status first;
  int64_t syncs = 0;
  for (Closed& c : closed) {
    if (!c.dirty) continue;
    absl::Status s = c.file->SyncFlushed();
    if (s.ok()) ++syncs;
    if (!s.ok() && first.ok()) first = s;
  }
  closed.clear();  // the last owner closes the file
  if (current != nullptr) {
    absl::Status s = current->SyncFlushed();
    if (s.ok()) ++syncs;
    if (!s.ok()) {
      absl::MutexLock l(&mu_);
      if (file_ == current) dirty_ = true;  // try again next time
      if (first.ok()) first = s;
    }
  }
  absl::MutexLock l(&mu_);
  stats_.syncs += syncs;
  return first;
}

void Wal::Frame(std::span<const std::string_view> records, uint64_t offset) {
  buf_.clear();
  for (std::string_view rec : records) {
    if (rec.empty()) continue;  // see wal.h
    bool first = true;
    do {
      size_t left_in_page = kPageSize - (offset % kPageSize);
      if (left_in_page < kHeaderSize) {
        buf_.append(left_in_page, '\0');  // page trailer
        offset += left_in_page;
        left_in_page = kPageSize;
      }
      const size_t n = std::min(rec.size(), left_in_page - kHeaderSize);
      const bool last = n == rec.size();
      FragmentType type = first ? (last ? FragmentType::kFull : FragmentType::kFirst)
                                : (last ? FragmentType::kLast : FragmentType::kMiddle);
      char header[kHeaderSize];
      header[0] = static_cast<char>(type);
      header[1] = static_cast<char>(n & 0xff);
      header[2] = static_cast<char>(n >> 8);
      uint32_t crc = base::Crc32cExtend(0, header, 1);
      crc = base::Crc32cExtend(crc, rec.data(), n);
      base::EncodeFixed32(header + 3, crc);
      buf_.append(header, kHeaderSize);
      buf_.append(rec.data(), n);
      offset += kHeaderSize + n;
      rec.remove_prefix(n);
      first = false;
    } while (!rec.empty());
  }
}

absl::Status Wal::Log(std::span<const std::string_view> records) {
  absl::MutexLock l(&mu_);
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("wal ", dir_, " is closed"));
  if (!broken_.ok()) return broken_;
  if (file_ == nullptr) {
    // An earlier segment switch failed (e.g. no space for a new file): retry.
    absl::Status s = OpenSegment(segment_ + 1);
    if (!s.ok()) {
      ++stats_.failed_commits;
      return s;
    }
  }
  uint64_t start = file_->Size();
  Frame(records, start);
  if (start > 0 && start + buf_.size() > options_.segment_size_bytes) {
    // Records never span segments: seal this one, frame again at offset 0.
    absl::Status s = CloseSegment();
    if (s.ok()) s = OpenSegment(segment_ + 1);
    if (!s.ok()) {
      ++stats_.failed_commits;
      return s;
    }
    start = 0;
    Frame(records, 0);
  }
  absl::Status s = file_->Append(buf_);
  if (s.ok()) s = file_->Flush();
  if (!s.ok()) {
    ++stats_.failed_commits;
    // Cut back whatever part of this commit reached the file, so replay never
    // sees half of a failed commit.
    absl::Status t = file_->Truncate(start);
    if (!t.ok()) {
      broken_ = absl::FailedPreconditionError(absl::StrCat(
          "wal segment ", SegmentName(segment_), " could not be cut back after a failed write: ",
          t.message()));
      LOG_ERROR("wal broken", "dir", dir_, "err", broken_.ToString());
    }
    return s;
  }
  dirty_ = true;
  ++stats_.commits;
  for (std::string_view rec : records) stats_.records += rec.empty() ? 0 : 1;
  stats_.bytes_written += static_cast<int64_t>(buf_.size());
  if (buf_.capacity() > (16u << 20)) {
    std::string().swap(buf_);  // don't keep one huge commit's buffer forever
  }
  return absl::OkStatus();
}

absl::Status Wal::Sync() { return SyncAll(); }

absl::StatusOr<int> Wal::NextSegment() {
  absl::MutexLock l(&mu_);
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("wal ", dir_, " is closed"));
  if (!broken_.ok()) return broken_;
  absl::Status s = CloseSegment();
  if (s.ok()) s = OpenSegment(segment_ + 1);
  if (!s.ok()) return s;
  return segment_;
}

absl::Status Wal::Close() {
  {
    absl::MutexLock l(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
  }
  if (sync_thread_.joinable()) sync_thread_.join();
  absl::Status s = SyncAll();
  absl::MutexLock l(&mu_);
  if (file_ != nullptr) {
    absl::Status c = file_->Close();
    if (s.ok()) s = c;
    file_.reset();
  }
  return s;
}

void Wal::SyncLoop() {
  while (true) {
    {
      absl::MutexLock l(&mu_);
      // Wakes early when Close() sets closed_.
      mu_.AwaitWithTimeout(absl::Condition(&closed_), options_.sync_interval);
      if (closed_) return;
    }
    absl::Status s = SyncAll();
    if (!s.ok()) LOG_ERROR("wal sync failed", "dir", dir_, "err", s.ToString());
  }
}

int Wal::current_segment() const {
  absl::MutexLock l(&mu_);
  return segment_;
}

WalStats Wal::stats() const {
  absl::MutexLock l(&mu_);
  return stats_;
}

}  // namespace promlet::storage::wal
