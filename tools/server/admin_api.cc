// /api/v1/admin/tsdb/*: snapshot, delete_series, clean_tombstones. Only with
// --web.enable-admin-api, like Prometheus (otherwise "unavailable").
#include <unistd.h>

#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "httplib.h"
#include "query/api/json_writer.h"
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
  // Deleting series needs tombstones in the storage, which promlet does not
  // have yet: say so instead of pretending.
  auto del = [enabled](const httplib::Request&, httplib::Response& res) {
    if (!enabled(res)) return;
    Error(res, 501, "unavailable", "delete_series is not supported by promlet yet");
  };
  server->Post("/api/v1/admin/tsdb/delete_series", del);
  server->Put("/api/v1/admin/tsdb/delete_series", del);
  // With no tombstones there is never anything to clean.
  auto clean = [enabled](const httplib::Request&, httplib::Response& res) {
    if (!enabled(res)) return;
    res.status = 204;
  };
  server->Post("/api/v1/admin/tsdb/clean_tombstones", clean);
  server->Put("/api/v1/admin/tsdb/clean_tombstones", clean);
}

}  // namespace promlet::tools
