#include "base/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace promlet::base {
namespace {

// Writes larger than this skip the user-space buffer.
constexpr size_t kWriteBufferBytes = 64 * 1024;

absl::Status ErrnoStatus(std::string_view op, std::string_view path, int err) {
  std::string msg = absl::StrCat(Absl(op), " ", Absl(path), ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(msg);
    case EEXIST:
    case ENOTEMPTY:
      return absl::AlreadyExistsError(msg);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return absl::ResourceExhaustedError(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), flushed_size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("append to closed ", path_));
    if (buf_.size() + data.size() <= kWriteBufferBytes) {
      buf_.append(data.data(), data.size());
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(Flush());
    if (data.size() <= kWriteBufferBytes) {
      buf_.append(data.data(), data.size());
      return absl::OkStatus();
    }
    return WriteRaw(data.data(), data.size());
  }

  absl::Status Flush() override {
    if (buf_.empty()) return absl::OkStatus();
    absl::Status s = WriteRaw(buf_.data(), buf_.size());
    buf_.clear();  // On error the unwritten rest is dropped (see env.h).
    return s;
  }

  absl::Status Sync() override {
    RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status SyncFlushed() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    absl::Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return s;
  }

  absl::Status Truncate(uint64_t size) override {
    buf_.clear();
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      // Keep flushed_size_ honest: ask the file.
      const int err = errno;
      struct stat st;
      if (::fstat(fd_, &st) == 0) flushed_size_ = static_cast<uint64_t>(st.st_size);
      return ErrnoStatus("ftruncate", path_, err);
    }
    flushed_size_ = size;
    return absl::OkStatus();
  }

  uint64_t Size() const override { return flushed_size_ + buf_.size(); }
  const std::string& path() const override { return path_; }

 private:
  absl::Status WriteRaw(const char* p, size_t n) {
    while (n > 0) {
      // O_APPEND: after a Truncate the next write lands at the new end.
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      p += w;
      n -= static_cast<size_t>(w);
      flushed_size_ += static_cast<uint64_t>(w);
    }
    return absl::OkStatus();
  }

  const std::string path_;
  int fd_;
  // Atomic only so that Size() is well-defined next to SyncFlushed() on
  // another thread; the writer is the only one that changes it (relaxed).
  std::atomic<uint64_t> flushed_size_;
  std::string buf_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n,
                                        char* scratch) const override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("pread", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return std::string_view(scratch, got);
  }
  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

class StringRandomAccessFile final : public RandomAccessFile {
 public:
  StringRandomAccessFile(std::string path, std::string_view data)
      : path_(std::move(path)), data_(data) {}
  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n,
                                        char* /*scratch*/) const override {
    if (offset >= data_.size()) return std::string_view();
    return data_.substr(offset, n);
  }
  uint64_t Size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::string_view data_;
};

class PosixMapping final : public ReadOnlyMapping {
 public:
  PosixMapping(void* base, size_t size) : base_(base), size_(size) {}
  ~PosixMapping() override {
    if (base_ != nullptr) ::munmap(base_, size_);
  }
  std::string_view data() const override {
    return std::string_view(static_cast<const char*>(base_), size_);
  }

 private:
  void* const base_;
  const size_t size_;
};

class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd, 0));
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("fstat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("fstat", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return ErrnoStatus("open", path, EISDIR);
    }
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  absl::StatusOr<std::unique_ptr<ReadOnlyMapping>> MapReadOnly(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("fstat", path, err);
    }
    size_t size = static_cast<size_t>(st.st_size);
    void* base = nullptr;
    if (size > 0) {
      base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (base == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return ErrnoStatus("mmap", path, err);
      }
    }
    ::close(fd);  // The mapping keeps the file alive.
    return std::unique_ptr<ReadOnlyMapping>(new PosixMapping(base, size));
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoStatus("readdir", dir, err);
    std::sort(names.begin(), names.end());
    return names;
  }

  absl::Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) != 0) return ErrnoStatus("mkdir", dir, errno);
    return absl::OkStatus();
  }

  absl::Status CreateDirs(const std::string& dir) override {
    if (dir.empty() || IsDirectory(dir)) return absl::OkStatus();
    std::string parent = DirName(dir);
    if (parent != dir && parent != "." && parent != "/") RETURN_IF_ERROR(CreateDirs(parent));
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir", dir, errno);
    }
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status RemoveDirRecursive(const std::string& dir) override {
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0) {
      if (errno == ENOENT) return absl::OkStatus();
      return ErrnoStatus("lstat", dir, errno);
    }
    if (!S_ISDIR(st.st_mode)) return RemoveFile(dir);
    ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
    for (const std::string& name : names) {
      RETURN_IF_ERROR(RemoveDirRecursive(JoinPath(dir, name)));
    }
    if (::rmdir(dir.c_str()) != 0) return ErrnoStatus("rmdir", dir, errno);
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus(absl::StrCat("rename to ", to), from, errno);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("truncate", path, errno);
    }
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", dir, errno);
    absl::Status s;
    if (::fsync(fd) != 0) s = ErrnoStatus("fsync", dir, errno);
    ::close(fd);
    return s;
  }

  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string& path) override {
    struct statvfs st;
    if (::statvfs(path.c_str(), &st) != 0) return ErrnoStatus("statvfs", path, errno);
    DiskSpace d;
    d.free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    d.total_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
    return d;
  }
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv();
  return env;
}

absl::Status Env::ReadFileToString(const std::string& path, std::string* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, NewRandomAccessFile(path));
  out->clear();
  constexpr size_t kChunk = 1 << 20;
  std::string scratch(kChunk, '\0');
  uint64_t offset = 0;
  while (true) {
    ASSIGN_OR_RETURN(std::string_view got, f->Read(offset, kChunk, scratch.data()));
    out->append(got.data(), got.size());
    offset += got.size();
    if (got.size() < kChunk) break;
  }
  return absl::OkStatus();
}

absl::Status Env::WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, NewWritableFile(tmp));
    absl::Status s = f->Append(data);
    if (s.ok()) s = f->Sync();
    if (s.ok()) s = f->Close();
    if (!s.ok()) {
      f.reset();
      (void)RemoveFile(tmp);
      return s;
    }
  }
  RETURN_IF_ERROR(Rename(tmp, path));
  return SyncDir(DirName(path));
}

std::unique_ptr<RandomAccessFile> NewStringRandomAccessFile(std::string path,
                                                            std::string_view data) {
  return std::make_unique<StringRandomAccessFile>(std::move(path), data);
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  std::string out(a);
  if (out.back() != '/') out.push_back('/');
  out.append(b.data(), b.size());
  return out;
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace promlet::base
