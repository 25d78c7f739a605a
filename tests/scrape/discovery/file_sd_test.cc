#include "scrape/discovery/file_sd.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace promlet::scrape {
namespace {

namespace fs = std::filesystem;

class FileSdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("promlet_file_sd_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    const fs::path tmp = dir_ / (name + ".tmp");
    std::ofstream(tmp) << content;
    fs::rename(tmp, dir_ / name);  // atomic, like config management tools do
  }
  static std::vector<std::string> Addresses(const DiscoveryResult& r) {
    std::vector<std::string> out;
    for (const TargetGroup& g : r.groups) {
      for (const auto& t : g.targets) out.emplace_back(t.Get("__address__"));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

TEST_F(FileSdTest, JsonYamlGlobAndMetaFilepath) {
  Write("a.json", R"([{"targets": ["h1:1", "h2:1"], "labels": {"env": "prod"}}])");
  Write("b.yml", "- targets: ['h3:1']\n  labels: {env: dev}\n");
  Write("c.txt", "ignored");
  FileSdConfig cfg;
  cfg.files = {(dir_ / "*.json").string(), (dir_ / "*.yml").string()};
  FileSd sd(cfg);
  DiscoveryResult r = sd.Refresh();
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(Addresses(r), (std::vector<std::string>{"h1:1", "h2:1", "h3:1"}));
  for (const TargetGroup& g : r.groups) {
    EXPECT_TRUE(g.labels.Get("__meta_filepath").ends_with(g.labels.Get("env") == "prod" ? "a.json" : "b.yml"));
  }
  EXPECT_FALSE(sd.Changed());
}

TEST_F(FileSdTest, ChangeDetectionAndLastGoodOnError) {
  Write("t.json", R"([{"targets": ["h1:1"]}])");
  FileSdConfig cfg;
  cfg.files = {(dir_ / "t.json").string()};
  FileSd sd(cfg);
  EXPECT_EQ(Addresses(sd.Refresh()), std::vector<std::string>{"h1:1"});

  Write("t.json", R"([{"targets": ["h1:1", "h9:1"]}])");
  EXPECT_TRUE(sd.Changed());
  EXPECT_EQ(Addresses(sd.Refresh()), (std::vector<std::string>{"h1:1", "h9:1"}));

  // Broken: the last good targets stay and the error is reported.
  Write("t.json", R"([{"targets": ["h1:1", )");
  EXPECT_TRUE(sd.Changed());
  DiscoveryResult r = sd.Refresh();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("t.json"), std::string::npos) << r.errors[0];
  EXPECT_EQ(Addresses(r), (std::vector<std::string>{"h1:1", "h9:1"}));

  // Removed: the file's targets go.
  fs::remove(dir_ / "t.json");
  EXPECT_TRUE(sd.Changed());
  EXPECT_TRUE(Addresses(sd.Refresh()).empty());
}

TEST(FileSdContentTest, Rejects) {
  auto bad = [](std::string_view content) {
    SCOPED_TRACE(content);
    EXPECT_FALSE(ParseFileSdContent(content, "f.yml").ok());
  };
  bad("{targets: [a]}");
  bad("[{targets: a}]");
  bad("[{targets: ['a/b']}]");
  bad("[{targets: [a], labels: {'a-b': c}}]");
  bad("[{targets: [a], foo: 1}]");
  EXPECT_TRUE(ParseFileSdContent("", "f.yml")->empty());
}

}  // namespace
}  // namespace promlet::scrape
