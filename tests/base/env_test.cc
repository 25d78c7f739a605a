#include "base/env.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "base/fault_injection_env.h"
#include "gtest/gtest.h"

namespace promlet::base {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/promlet_env_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(env_->RemoveDirRecursive(dir_).ok()); }
  std::string Path(std::string_view name) { return JoinPath(dir_, name); }
  std::string Read(const std::string& path) {
    std::string s;
    EXPECT_TRUE(env_->ReadFileToString(path, &s).ok());
    return s;
  }

  Env* env_ = Env::Default();
  std::string dir_;
};

TEST_F(EnvTest, WriteFlushSyncReadBack) {
  auto f = env_->NewWritableFile(Path("a"));
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE((*f)->Append("hello ").ok());
  EXPECT_EQ((*f)->Size(), 6u);
  EXPECT_EQ(Read(Path("a")), "");  // still buffered in user space
  ASSERT_TRUE((*f)->Flush().ok());
  EXPECT_EQ(Read(Path("a")), "hello ");
  ASSERT_TRUE((*f)->Append(std::string(100000, 'x')).ok());  // bypasses buffer
  ASSERT_TRUE((*f)->SyncFlushed().ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Truncate(5).ok());
  ASSERT_TRUE((*f)->Append("!").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(Read(Path("a")), "hello!");
  auto size = env_->FileSize(Path("a"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 6u);

  auto app = env_->NewAppendableFile(Path("a"));
  ASSERT_TRUE(app.ok());
  EXPECT_EQ((*app)->Size(), 6u);
  ASSERT_TRUE((*app)->Append("?").ok());
  ASSERT_TRUE((*app)->Close().ok());
  EXPECT_EQ(Read(Path("a")), "hello!?");

  auto r = env_->NewRandomAccessFile(Path("a"));
  ASSERT_TRUE(r.ok());
  char scratch[16];
  auto got = (*r)->Read(2, 16, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "llo!?");

  auto m = env_->MapReadOnly(Path("a"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->data(), "hello!?");
}

TEST_F(EnvTest, DirectoriesAndErrors) {
  ASSERT_TRUE(env_->CreateDirs(Path("x/y/z")).ok());
  ASSERT_TRUE(env_->CreateDirs(Path("x/y/z")).ok());
  EXPECT_EQ(env_->CreateDir(Path("x")).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(env_->IsDirectory(Path("x/y")));
  ASSERT_TRUE(env_->WriteFileAtomically(Path("x/b"), "B").ok());
  ASSERT_TRUE(env_->WriteFileAtomically(Path("x/a"), "A").ok());
  auto names = env_->ListDir(Path("x"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "y"}));
  ASSERT_TRUE(env_->Rename(Path("x/a"), Path("x/b")).ok());
  EXPECT_EQ(Read(Path("x/b")), "A");
  EXPECT_FALSE(env_->FileExists(Path("x/a")));
  ASSERT_TRUE(env_->Truncate(Path("x/b"), 0).ok());
  EXPECT_EQ(Read(Path("x/b")), "");
  ASSERT_TRUE(env_->SyncDir(Path("x")).ok());
  EXPECT_EQ(env_->RemoveFile(Path("nope")).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_->FileSize(Path("nope")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_->NewRandomAccessFile(Path("nope")).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(env_->RemoveDirRecursive(Path("x")).ok());
  EXPECT_FALSE(env_->FileExists(Path("x")));
  ASSERT_TRUE(env_->RemoveDirRecursive(Path("x")).ok());
  auto space = env_->GetDiskSpace(dir_);
  ASSERT_TRUE(space.ok());
  EXPECT_GT(space->total_bytes, 0u);
  EXPECT_EQ(DirName("/a/b"), "/a");
  EXPECT_EQ(DirName("b"), ".");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
}

TEST_F(EnvTest, FaultEnvWriteBudgetWritesPartiallyThenFails) {
  FaultInjectionEnv fenv(env_);
  auto f = fenv.NewWritableFile(Path("f"));
  ASSERT_TRUE(f.ok());
  fenv.SetWriteBudget(10);
  ASSERT_TRUE((*f)->Append("0123456").ok());
  ASSERT_TRUE((*f)->Flush().ok());
  ASSERT_TRUE((*f)->Append("789abc").ok());
  EXPECT_EQ((*f)->Flush().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Read(Path("f")), "0123456789");  // a partial write, like ENOSPC
  EXPECT_EQ((*f)->Size(), 10u);
  ASSERT_TRUE((*f)->Truncate(7).ok());
  fenv.SetNoSpace(true);
  ASSERT_TRUE((*f)->Append("x").ok());
  EXPECT_EQ((*f)->Flush().code(), absl::StatusCode::kResourceExhausted);
  fenv.SetNoSpace(false);
  fenv.SetWriteBudget(-1);
  ASSERT_TRUE((*f)->Append("Z").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(Read(Path("f")), "0123456Z");
  EXPECT_EQ(fenv.bytes_written(), 11);
}

TEST_F(EnvTest, FaultEnvDropUnsyncedData) {
  FaultInjectionEnv fenv(env_);
  auto f = fenv.NewWritableFile(Path("synced"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("durable").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE(fenv.SyncDir(dir_).ok());
  ASSERT_TRUE((*f)->Append(" flushed").ok());
  ASSERT_TRUE((*f)->Flush().ok());
  ASSERT_TRUE((*f)->Append(" also lost").ok());  // buffered: SyncFlushed skips it
  ASSERT_TRUE((*f)->SyncFlushed().ok());
  auto g = fenv.NewWritableFile(Path("new"));  // dir never synced after this
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE((*g)->Append("x").ok());
  ASSERT_TRUE((*g)->Sync().ok());
  EXPECT_EQ(fenv.sync_calls(), 3);

  ASSERT_TRUE(fenv.DropUnsyncedData().ok());
  EXPECT_EQ(Read(Path("synced")), "durable flushed");
  EXPECT_FALSE(env_->FileExists(Path("new")));
  // Dead files refuse everything and write nothing when destroyed.
  EXPECT_EQ((*f)->Append("y").code(), absl::StatusCode::kUnavailable);
  f->reset();
  g->reset();
  EXPECT_EQ(Read(Path("synced")), "durable flushed");
}

TEST_F(EnvTest, FaultEnvFlipBitAndSyncError) {
  FaultInjectionEnv fenv(env_);
  ASSERT_TRUE(env_->WriteFileAtomically(Path("b"), "A").ok());
  ASSERT_TRUE(fenv.FlipBit(Path("b"), 0, 1).ok());
  EXPECT_EQ(Read(Path("b")), "C");
  EXPECT_EQ(fenv.FlipBit(Path("b"), 1, 0).code(), absl::StatusCode::kOutOfRange);
  fenv.SetSyncError(true);
  auto f = fenv.NewWritableFile(Path("c"));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_FALSE(fenv.SyncDir(dir_).ok());
  fenv.SetFreeBytes(123);
  auto space = fenv.GetDiskSpace(dir_);
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->free_bytes, 123u);
}

}  // namespace
}  // namespace promlet::base
