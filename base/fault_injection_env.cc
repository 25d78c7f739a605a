#include "base/fault_injection_env.h"

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace promlet::base {

// Buffers appends itself (so nothing reaches the base file before Flush) and
// charges each Flush against the Env's write budget.
class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::unique_ptr<WritableFile> base, uint64_t generation)
      : env_(env), base_(std::move(base)), generation_(generation), flushed_(base_->Size()) {}
  ~File() override {
    if (env_->Alive(generation_)) (void)Close();
    // A dead file's base is destroyed with nothing buffered: it writes nothing.
  }

  absl::Status Append(std::string_view data) override {
    RETURN_IF_ERROR(CheckAlive());
    buf_.append(data.data(), data.size());
    return absl::OkStatus();
  }

  absl::Status Flush() override {
    RETURN_IF_ERROR(CheckAlive());
    if (buf_.empty()) return absl::OkStatus();
    size_t allowed = 0;
    absl::Status budget = env_->ReserveWrite(buf_.size(), &allowed);
    absl::Status s = base_->Append(std::string_view(buf_.data(), allowed));
    if (s.ok()) s = base_->Flush();
    buf_.clear();
    if (!s.ok()) return s;
    flushed_.fetch_add(allowed, std::memory_order_release);
    if (!budget.ok()) {
      return absl::Status(budget.code(), absl::StrCat(budget.message(), ": ", base_->path()));
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    RETURN_IF_ERROR(Flush());
    bool skip = false;
    RETURN_IF_ERROR(env_->CheckSync(&skip));
    if (!skip) RETURN_IF_ERROR(base_->Sync());
    env_->RecordSync(base_->path(), base_->Size(), generation_);
    return absl::OkStatus();
  }

  absl::Status SyncFlushed() override {
    RETURN_IF_ERROR(CheckAlive());
    // What was flushed before the fdatasync is durable after it.
    const uint64_t size = flushed_.load(std::memory_order_acquire);
    bool skip = false;
    RETURN_IF_ERROR(env_->CheckSync(&skip));
    if (!skip) RETURN_IF_ERROR(base_->SyncFlushed());
    env_->RecordSync(base_->path(), size, generation_);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    RETURN_IF_ERROR(CheckAlive());
    absl::Status s = Flush();
    absl::Status c = base_->Close();
    return s.ok() ? c : s;
  }

  absl::Status Truncate(uint64_t size) override {
    RETURN_IF_ERROR(CheckAlive());
    buf_.clear();
    absl::Status s = base_->Truncate(size);
    flushed_.store(base_->Size(), std::memory_order_release);
    env_->RecordTruncate(base_->path(), base_->Size());
    return s;
  }

  uint64_t Size() const override { return base_->Size() + buf_.size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  absl::Status CheckAlive() const {
    if (env_->Alive(generation_)) return absl::OkStatus();
    return absl::UnavailableError(
        absl::StrCat("file opened before a simulated crash: ", base_->path()));
  }

  FaultInjectionEnv* const env_;
  const std::unique_ptr<WritableFile> base_;
  const uint64_t generation_;
  std::string buf_;
  std::atomic<uint64_t> flushed_;  // bytes in the base file; read by SyncFlushed
};

void FaultInjectionEnv::SetWriteBudget(int64_t bytes) {
  absl::MutexLock l(&mu_);
  budget_ = bytes;
}
void FaultInjectionEnv::SetNoSpace(bool no_space) {
  absl::MutexLock l(&mu_);
  no_space_ = no_space;
}
void FaultInjectionEnv::SetSyncError(bool fail) {
  absl::MutexLock l(&mu_);
  sync_error_ = fail;
}
void FaultInjectionEnv::SetFreeBytes(int64_t bytes) {
  absl::MutexLock l(&mu_);
  free_bytes_ = bytes;
}
int64_t FaultInjectionEnv::bytes_written() const {
  absl::MutexLock l(&mu_);
  return bytes_written_;
}
int64_t FaultInjectionEnv::sync_calls() const {
  absl::MutexLock l(&mu_);
  return sync_calls_;
}

bool FaultInjectionEnv::Alive(uint64_t generation) const {
  absl::MutexLock l(&mu_);
  return generation == generation_;
}

absl::Status FaultInjectionEnv::ReserveWrite(size_t n, size_t* allowed) {
  absl::MutexLock l(&mu_);
  *allowed = n;
  if (no_space_) {
    *allowed = 0;
  } else if (budget_ >= 0 && static_cast<int64_t>(n) > budget_) {
    *allowed = static_cast<size_t>(budget_);
  }
  bytes_written_ += static_cast<int64_t>(*allowed);
  if (budget_ >= 0) budget_ -= static_cast<int64_t>(*allowed);
  if (*allowed < n) {
    return absl::ResourceExhaustedError("write: No space left on device (injected)");
  }
  return absl::OkStatus();
}

void FaultInjectionEnv::SetSkipDiskSync(bool skip) {
  absl::MutexLock l(&mu_);
  skip_disk_sync_ = skip;
}

absl::Status FaultInjectionEnv::CheckSync(bool* skip) {
  absl::MutexLock l(&mu_);
  *skip = skip_disk_sync_;
  if (sync_error_) return absl::InternalError("fsync: Input/output error (injected)");
  return absl::OkStatus();
}

void FaultInjectionEnv::RecordSync(const std::string& path, uint64_t size,
                                   uint64_t generation) {
  absl::MutexLock l(&mu_);
  if (generation != generation_) return;
  // Syncs on two threads may finish out of order: keep the larger.
  FileState& st = files_[path];
  st.synced_size = std::max(st.synced_size, size);
  ++sync_calls_;
}

void FaultInjectionEnv::RecordTruncate(const std::string& path, uint64_t size) {
  absl::MutexLock l(&mu_);
  auto it = files_.find(path);
  if (it != files_.end()) it->second.synced_size = std::min(it->second.synced_size, size);
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path) {
  {
    absl::MutexLock l(&mu_);
    if (no_space_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("open ", path, ": No space left on device (injected)"));
    }
  }
  const bool existed = base_->FileExists(path);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, base_->NewWritableFile(path));
  absl::MutexLock l(&mu_);
  // Truncating an existing file keeps its (durable) directory entry.
  const bool entry_synced = existed && (!files_.contains(path) || files_[path].dir_entry_synced);
  files_[path] = FileState{0, entry_synced};
  return std::unique_ptr<WritableFile>(new File(this, std::move(f), generation_));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  const bool existed = base_->FileExists(path);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, base_->NewAppendableFile(path));
  absl::MutexLock l(&mu_);
  if (!files_.contains(path)) {
    // A file from before this Env saw it counts as durable as it stands.
    files_[path] = FileState{existed ? f->Size() : 0, existed};
  }
  return std::unique_ptr<WritableFile>(new File(this, std::move(f), generation_));
}

absl::Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  RETURN_IF_ERROR(base_->RemoveFile(path));
  absl::MutexLock l(&mu_);
  files_.erase(path);
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::RemoveDirRecursive(const std::string& dir) {
  RETURN_IF_ERROR(base_->RemoveDirRecursive(dir));
  absl::MutexLock l(&mu_);
  const std::string prefix = dir + "/";
  absl::erase_if(files_, [&](const auto& kv) { return absl::StartsWith(kv.first, prefix); });
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::Rename(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(base_->Rename(from, to));
  absl::MutexLock l(&mu_);
  // Files and whole directories move; their states follow them.
  std::vector<std::pair<std::string, FileState>> moved;
  const std::string prefix = from + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from) {
      moved.emplace_back(to, it->second);
      files_.erase(it++);
    } else if (absl::StartsWith(it->first, prefix)) {
      moved.emplace_back(to + it->first.substr(from.size()), it->second);
      files_.erase(it++);
    } else {
      ++it;
    }
  }
  for (auto& [path, state] : moved) files_[path] = state;
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::Truncate(const std::string& path, uint64_t size) {
  RETURN_IF_ERROR(base_->Truncate(path, size));
  absl::MutexLock l(&mu_);
  auto it = files_.find(path);
  if (it != files_.end()) it->second.synced_size = std::min(it->second.synced_size, size);
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  bool skip = false;
  RETURN_IF_ERROR(CheckSync(&skip));
  if (!skip) RETURN_IF_ERROR(base_->SyncDir(dir));
  std::string_view d = dir;
  while (d.size() > 1 && d.back() == '/') d.remove_suffix(1);
  absl::MutexLock l(&mu_);
  for (auto& [path, state] : files_) {
    if (DirName(path) == d) state.dir_entry_synced = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<DiskSpace> FaultInjectionEnv::GetDiskSpace(const std::string& path) {
  ASSIGN_OR_RETURN(DiskSpace d, base_->GetDiskSpace(path));
  absl::MutexLock l(&mu_);
  if (free_bytes_ >= 0) d.free_bytes = static_cast<uint64_t>(free_bytes_);
  return d;
}

absl::Status FaultInjectionEnv::DropUnsyncedData() {
  absl::flat_hash_map<std::string, FileState> files;
  {
    absl::MutexLock l(&mu_);
    ++generation_;  // Every open file is dead from here on.
    files = files_;
  }
  for (const auto& [path, state] : files) {
    if (!base_->FileExists(path)) continue;
    if (!state.dir_entry_synced) {
      RETURN_IF_ERROR(base_->RemoveFile(path));
      continue;
    }
    ASSIGN_OR_RETURN(uint64_t size, base_->FileSize(path));
    if (size > state.synced_size) RETURN_IF_ERROR(base_->Truncate(path, state.synced_size));
  }
  absl::MutexLock l(&mu_);
  absl::erase_if(files_, [](const auto& kv) { return !kv.second.dir_entry_synced; });
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::FlipBit(const std::string& path, uint64_t offset, int bit) {
  std::string data;
  RETURN_IF_ERROR(base_->ReadFileToString(path, &data));
  if (offset >= data.size()) {
    return absl::OutOfRangeError(absl::StrCat("flip bit past end of ", path));
  }
  data[offset] = static_cast<char>(data[offset] ^ (1 << (bit & 7)));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, base_->NewWritableFile(path));
  RETURN_IF_ERROR(f->Append(data));
  return f->Close();
}

}  // namespace promlet::base
