// /api/v1/admin/tsdb/*: snapshot, delete_series, clean_tombstones. Only with
// --web.enable-admin-api, like Prometheus (otherwise "unavailable").
// Deletion records tombstones in the DB (docs/format/tombstones.md).
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "httplib.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "query/api/http_api.h"
#include "query/api/json_writer.h"
#include "query/parser/parser.h"
#include "storage/api/matcher.h"
#include "storage/block/block_writer.h"
#include "tools/server/self_metrics.h"
#include "tools/server/status_api.h"

namespace promlet::tools {
namespace {

namespace fs = std::filesystem;

void Json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void Error(httplib::Response& res, int status, const char* type, std::string_view msg) {
  WriteApiError(res, status, type, msg);
}

bool IsBlockDir(const fs::directory_entry& e) {
  return e.is_directory() && e.path().filename().string().size() == 26 &&
         fs::exists(e.path() / "meta.json");
}

// Hard-links every file of each block into `dest`, then writes the head's
// samples as one more block (unless skip_head). Blocks are immutable, so
// links are a consistent copy that costs no space.
absl::Status Snapshot(ServerContext* ctx, const fs::path& dest, bool skip_head) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return absl::InternalError(absl::StrCat("create ", dest.string(), ": ", ec.message()));
  for (const auto& e : fs::directory_iterator(ctx->options.tsdb_path, ec)) {
    if (!IsBlockDir(e)) continue;
    fs::path to = dest / e.path().filename();
    for (const auto& f : fs::recursive_directory_iterator(e.path())) {
      fs::path rel = fs::relative(f.path(), e.path());
      if (f.is_directory()) {
        fs::create_directories(to / rel, ec);
      } else {
        fs::create_directories((to / rel).parent_path(), ec);
        fs::create_hard_link(f.path(), to / rel, ec);
      }
      if (ec) return absl::InternalError(absl::StrCat("link ", f.path().string(), ": ", ec.message()));
    }
  }
  // The tombstones hide deleted samples in the linked blocks and the head.
  const fs::path tombstones = storage::db::TombstonePath(ctx->options.tsdb_path);
  if (fs::exists(tombstones)) {
    fs::copy_file(tombstones, dest / tombstones.filename(), ec);
    if (ec) return absl::InternalError(absl::StrCat("copy ", tombstones.string(), ": ", ec.message()));
  }
  if (skip_head) return absl::OkStatus();
  auto head_querier = ctx->db->head()->NewQuerier();
  if (!head_querier.ok()) return head_querier.status();
  storage::db::DBStats stats = ctx->db->Stats();
  if (stats.head.num_series == 0) return absl::OkStatus();
  auto all = storage::Matcher::Make(storage::MatchType::kRegexMatch, "__name__", ".+");
  auto set = (*head_querier)->Select(stats.head.min_t, stats.head.max_t, {*all});
  auto meta = storage::block::WriteBlock(dest.string(), set.get(), stats.head.min_t, stats.head.max_t + 1);
  return meta.status();
}

absl::StatusOr<int64_t> TimeParam(const httplib::Request& req, const char* name, int64_t def) {
  const std::string v = req.get_param_value(name);
  if (v.empty()) return def;  // Prometheus: an empty value means absent
  absl::StatusOr<int64_t> t = query::ParseApiTime(v);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid parameter \"", name, "\": ", t.status().message()));
  }
  return *t;
}

absl::Status DeleteSeries(ServerContext* ctx, const httplib::Request& req) {
  const size_t n = req.get_param_value_count("match[]");
  if (n == 0) return absl::InvalidArgumentError("no match[] parameter provided");
  ASSIGN_OR_RETURN(int64_t start, TimeParam(req, "start", std::numeric_limits<int64_t>::min()));
  ASSIGN_OR_RETURN(int64_t end, TimeParam(req, "end", std::numeric_limits<int64_t>::max()));
  // All selectors are checked before anything is deleted.
  std::vector<storage::Matchers> selectors;
  for (size_t i = 0; i < n; ++i) {
    absl::StatusOr<storage::Matchers> ms = query::ParseMetricSelector(req.get_param_value("match[]", i));
    if (!ms.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid parameter \"match[]\": ", ms.status().message()));
    }
    selectors.push_back(*std::move(ms));
  }
  for (const storage::Matchers& ms : selectors) {
    RETURN_IF_ERROR(ctx->db->DeleteSeries(ms, start, end));
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterAdminApi(httplib::Server* server, ServerContext* ctx) {
  auto enabled = [ctx](httplib::Response& res) {
    if (ctx->options.enable_admin_api) return true;
    Error(res, 503, "unavailable", "admin APIs disabled");
    return false;
  };
  server->Post("/api/v1/admin/tsdb/snapshot", [ctx, enabled](const httplib::Request& req, httplib::Response& res) {
    if (!enabled(res)) return;
    const bool skip_head = req.get_param_value("skip_head") == "true";
    std::mt19937_64 rng(std::random_device{}());
    const std::string name = absl::StrCat(
        absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()), "-",
        absl::StrFormat("%016x", rng()));
    absl::Status s = Snapshot(ctx, fs::path(ctx->options.tsdb_path) / "snapshots" / name, skip_head);
    if (!s.ok()) {
      Error(res, 500, "internal", absl::StrCat("create snapshot: ", s.message()));
      return;
    }
    std::string out;
    query::JsonWriter w(&out);
    w.BeginObject();
    w.Key("status");
    w.String("success");
    w.Key("data");
    w.BeginObject();
    w.Key("name");
    w.String(name);
    w.EndObject();
    w.EndObject();
    Json(res, 200, out);
  });
  // Prometheus 2.42 semantics: match[] (one or more selectors), optional
  // start/end, 204 No Content; the matchers are resolved now.
  auto del = [ctx, enabled](const httplib::Request& req, httplib::Response& res) {
    if (!enabled(res)) return;
    absl::Status s = DeleteSeries(ctx, req);
    if (!s.ok()) {
      const bool bad = s.code() == absl::StatusCode::kInvalidArgument;
      Error(res, bad ? 400 : 500, bad ? "bad_data" : "internal", base::Std(s.message()));
      return;
    }
    res.status = 204;
  };
  server->Post("/api/v1/admin/tsdb/delete_series", del);
  server->Put("/api/v1/admin/tsdb/delete_series", del);
  auto clean = [ctx, enabled](const httplib::Request&, httplib::Response& res) {
    if (!enabled(res)) return;
    if (absl::Status s = ctx->db->CleanTombstones(); !s.ok()) {
      Error(res, 500, "internal", absl::StrCat("clean tombstones: ", s.message()));
      return;
    }
    res.status = 204;
  };
  server->Post("/api/v1/admin/tsdb/clean_tombstones", clean);
  server->Put("/api/v1/admin/tsdb/clean_tombstones", clean);
}

}  // namespace promlet::tools
