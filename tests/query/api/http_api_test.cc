// Runs the query API in-process on 127.0.0.1 (port 0) against a MemStorage
// and checks Prometheus's exact JSON.
#include "query/api/http_api.h"

#include <httplib.h>

#include <thread>

#include "gtest/gtest.h"
#include "query/api/json_writer.h"
#include "storage/api/mem_storage.h"

namespace promlet::query {
namespace {

using storage::Labels;

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = db_.NewAppender();
    Labels up1 = Labels::FromPairs({{"__name__", "up"}, {"job", "a"}, {"instance", "x"}});
    Labels up2 = Labels::FromPairs({{"__name__", "up"}, {"job", "b"}, {"instance", "y"}});
    Labels req = Labels::FromPairs({{"__name__", "req_total"}, {"job", "a"}});
    for (int64_t t = 0; t <= 120'000; t += 15'000) {
      ASSERT_TRUE(app->Append(0, up1, t, 1).ok());
      ASSERT_TRUE(app->Append(0, up2, t, 0).ok());
      ASSERT_TRUE(app->Append(0, req, t, static_cast<double>(t) / 1000).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    Start(ApiOptions{});
  }

  void Start(ApiOptions opts) {
    Stop();
    opts.now_ms = [] { return int64_t{120'000}; };
    server_ = std::make_unique<httplib::Server>();
    RegisterQueryApi(server_.get(), &db_, opts);
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the accept loop runs; wait for it so a
    // restart right away cannot hang.
    while (!server_->is_running()) std::this_thread::yield();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void Stop() {
    if (server_) {
      server_->stop();
      thread_.join();
      server_.reset();
    }
  }

  void TearDown() override { Stop(); }

  // GET path; returns status and body.
  std::pair<int, std::string> Get(const std::string& path) {
    httplib::Result r = client_->Get(path.c_str());
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }
  std::pair<int, std::string> PostForm(const std::string& path, const httplib::Params& params) {
    httplib::Result r = client_->Post(path.c_str(), params);
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }

  storage::MemStorage db_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(HttpApiTest, InstantVector) {
  auto [code, body] = Get("/api/v1/query?query=up%7Bjob%3D%22a%22%7D&time=60");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body,
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"value":[60,"1"]}]}})");
}

TEST_F(HttpApiTest, DefaultTimeAndFractionalTimestamps) {
  auto [code, body] = Get("/api/v1/query?query=sum(up)&time=");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[120,"1"]}]}})");
  std::tie(code, body) = Get("/api/v1/query?query=sum(up)&time=60.5");
  EXPECT_EQ(body, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[60.500,"1"]}]}})");
  std::tie(code, body) = Get("/api/v1/query?query=sum(up)&time=1970-01-01T00:01:00.25Z");
  EXPECT_EQ(body, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[60.250,"1"]}]}})");
}

TEST_F(HttpApiTest, ScalarStringAndSpecialFloats) {
  auto check = [&](const std::string& path, const std::string& want) {
    SCOPED_TRACE(path);
    auto [code, body] = Get(path);
    EXPECT_EQ(code, 200);
    EXPECT_EQ(body, want);
  };
  check("/api/v1/query?query=1.5&time=1.5",
        R"({"status":"success","data":{"resultType":"scalar","result":[1.5,"1.5"]}})");
  check("/api/v1/query?query=%22hello%22&time=2",
        R"({"status":"success","data":{"resultType":"string","result":[2,"hello"]}})");
  check("/api/v1/query?query=1%2F0&time=2",
        R"({"status":"success","data":{"resultType":"scalar","result":[2,"+Inf"]}})");
  check("/api/v1/query?query=-1%2F0&time=2",
        R"({"status":"success","data":{"resultType":"scalar","result":[2,"-Inf"]}})");
  check("/api/v1/query?query=0%2F0&time=2",
        R"({"status":"success","data":{"resultType":"scalar","result":[2,"NaN"]}})");
}

TEST_F(HttpApiTest, RangeQueryMatrix) {
  auto [code, body] = Get("/api/v1/query_range?query=up&start=0&end=30&step=15s");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"up","instance":"x","job":"a"},"values":[[0,"1"],[15,"1"],[30,"1"]]},)"
            R"({"metric":{"__name__":"up","instance":"y","job":"b"},"values":[[0,"0"],[15,"0"],[30,"0"]]}]}})");
  // Same float operations as Prometheus's extrapolatedRate, same last bit.
  std::tie(code, body) = Get("/api/v1/query_range?query=rate(req_total%5B1m%5D)&start=60&end=60.5&step=0.5");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body,
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[60,"0.9999999999999999"],[60.500,"0.9999999999999999"]]}]}})");
}

TEST_F(HttpApiTest, FormPostQuery) {
  auto [code, body] = PostForm("/api/v1/query", {{"query", "count(up)"}, {"time", "30"}});
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[30,"2"]}]}})");
}

TEST_F(HttpApiTest, SeriesLabelsAndValues) {
  auto check = [&](std::pair<int, std::string> got, const std::string& want) {
    EXPECT_EQ(got.first, 200);
    EXPECT_EQ(got.second, want);
  };
  check(Get("/api/v1/series?match%5B%5D=up&match%5B%5D=req_total"),
        R"({"status":"success","data":[{"__name__":"req_total","job":"a"},)"
        R"({"__name__":"up","instance":"x","job":"a"},{"__name__":"up","instance":"y","job":"b"}]})");
  check(PostForm("/api/v1/series", {{"match[]", "up{job=\"b\"}"}}),
        R"({"status":"success","data":[{"__name__":"up","instance":"y","job":"b"}]})");
  check(Get("/api/v1/series?match%5B%5D=up&limit=1"),
        R"({"status":"success","data":[{"__name__":"up","instance":"x","job":"a"}],"warnings":["results truncated due to limit"]})");
  check(Get("/api/v1/labels"),
        R"({"status":"success","data":["__name__","instance","job"]})");
  check(Get("/api/v1/labels?match%5B%5D=req_total"),
        R"({"status":"success","data":["__name__","job"]})");
  check(Get("/api/v1/label/job/values"), R"({"status":"success","data":["a","b"]})");
  check(Get("/api/v1/label/__name__/values?match%5B%5D=%7Bjob%3D%22a%22%7D"),
        R"({"status":"success","data":["req_total","up"]})");
  check(Get("/api/v1/label/nope/values"), R"({"status":"success","data":[]})");
}

TEST_F(HttpApiTest, Errors) {
  auto check = [&](const std::string& path, int want_code, const std::string& want) {
    SCOPED_TRACE(path);
    auto [code, body] = Get(path);
    EXPECT_EQ(code, want_code);
    EXPECT_EQ(body, want);
  };
  check("/api/v1/query?query=up&time=abc", 400,
        R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": cannot parse \"abc\" to a valid timestamp"})");
  check("/api/v1/query_range?query=up&start=10&end=0&step=1", 400,
        R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"})");
  check("/api/v1/query_range?query=up&start=0&end=10&step=0", 400,
        R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"})");
  check("/api/v1/query_range?query=up&start=0&end=100000&step=1", 400,
        R"j({"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})j");
  check("/api/v1/query_range?query=up%5B5m%5D&start=0&end=10&step=1", 400,
        R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"})");
  check("/api/v1/query?query=up%20%2B%20on()%20up&time=60", 422,
        R"({"status":"error","errorType":"execution","error":"found duplicate series for the match group {} on the right hand-side of the operation: [{__name__=\"up\", instance=\"y\", job=\"b\"}, {__name__=\"up\", instance=\"x\", job=\"a\"}];many-to-many matching not allowed: matching labels must be unique on one side"})");
  check("/api/v1/series", 400,
        R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  check("/api/v1/series?match%5B%5D=%7Ba%3D%22%22%7D", 400,
        R"({"status":"error","errorType":"bad_data","error":"match[] must contain at least one non-empty matcher"})");
  check("/api/v1/labels?limit=-1", 400,
        R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": limit must be non-negative"})");
  auto [code, body] = Get("/api/v1/query?query=sum(&time=1");
  EXPECT_EQ(code, 400);
  EXPECT_EQ(body.rfind(R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:)", 0), 0u) << body;
}

TEST_F(HttpApiTest, TimeoutAndSampleLimit) {
  ApiOptions opts;
  opts.engine.max_samples = 5;
  Start(opts);
  auto [code, body] = Get("/api/v1/query?query=sum_over_time(up%5B2m%5D)&time=120");
  EXPECT_EQ(code, 422);
  EXPECT_EQ(body,
            R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"})");
  opts.engine.max_samples = 1'000'000;
  opts.engine.timeout = absl::ZeroDuration() - absl::Seconds(1);
  Start(opts);
  std::tie(code, body) = Get("/api/v1/query?query=up&time=120");
  EXPECT_EQ(code, 503);
  EXPECT_EQ(body, R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})");
  // The server keeps serving after failed queries.
  std::tie(code, body) = Get("/api/v1/labels");
  EXPECT_EQ(code, 200);
}

TEST(ApiParamsTest, TimesAndDurations) {
  auto t = [](std::string_view s) { return ParseApiTime(s); };
  EXPECT_EQ(*t("1700000000"), 1700000000000);
  EXPECT_EQ(*t("1700000000.781"), 1700000000781);
  EXPECT_EQ(*t("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*t("2023-11-14T23:13:20.5+01:00"), 1700000000500);
  EXPECT_FALSE(t("yesterday").ok());
  EXPECT_FALSE(t("1e300").ok());
  auto d = [](std::string_view s) { return ParseApiDuration(s); };
  EXPECT_EQ(*d("15"), 15000);
  EXPECT_EQ(*d("0.5"), 500);
  EXPECT_EQ(*d("1m30s"), 90000);
  EXPECT_FALSE(d("1x").ok());
}

TEST(JsonWriterTest, GoEscaping) {
  auto q = [](std::string_view s) {
    std::string out;
    JsonWriter::AppendQuotedTo(s, &out);
    return out;
  };
  EXPECT_EQ(q("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(q("<&>"), R"("\u003c\u0026\u003e")");
  EXPECT_EQ(q("\n\t\x01"), R"("\n\t\u0001")");
  EXPECT_EQ(q("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(q("bad\xff"), R"("bad\ufffd")");
  EXPECT_EQ(q("\xe2\x80\xa8"), R"("\u2028")");
}

}  // namespace
}  // namespace promlet::query
