#include "tools/server/self_metrics.h"

#include <map>

#include "tools/version.h"

namespace promlet::tools {
namespace {

void Counter(MetricsWriter& w, const char* name, const char* help, double v) {
  w.Family(name, help, "counter");
  w.Sample(name, {}, v);
}

void Gauge(MetricsWriter& w, const char* name, const char* help, double v) {
  w.Family(name, help, "gauge");
  w.Sample(name, {}, v);
}

void CollectStorage(MetricsWriter& w, storage::db::DB* db) {
  const storage::db::DBStats s = db->Stats();
  const auto& h = s.head;
  Counter(w, "promlet_tsdb_head_samples_appended_total", "Total number of appended samples.",
          static_cast<double>(h.samples_appended));
  Gauge(w, "promlet_tsdb_head_series", "Total number of series in the head block.",
        static_cast<double>(h.num_series));
  Counter(w, "promlet_tsdb_head_series_created_total", "Total number of series created in the head.",
          static_cast<double>(h.series_created));
  Counter(w, "promlet_tsdb_head_series_removed_total", "Total number of series removed in the head.",
          static_cast<double>(h.series_removed));
  Counter(w, "promlet_tsdb_head_chunks_created_total", "Total number of chunks created in the head.",
          static_cast<double>(h.chunks_cut));
  Gauge(w, "promlet_tsdb_head_min_time", "Minimum timestamp of the head block (ms).",
        static_cast<double>(h.min_t));
  Gauge(w, "promlet_tsdb_head_max_time", "Maximum timestamp of the head block (ms).",
        static_cast<double>(h.max_t));
  Gauge(w, "promlet_tsdb_head_chunk_pages_bytes", "Bytes of mapped pages holding full head chunks.",
        static_cast<double>(h.arena_bytes));
  w.Family("promlet_tsdb_head_samples_rejected_total",
           "Samples rejected by the head, by reason.", "counter");
  for (const auto& [reason, n] : std::map<std::string, uint64_t>{
           {"duplicate", h.duplicate}, {"invalid_labels", h.invalid_labels},
           {"out_of_bounds", h.out_of_bounds}, {"out_of_order", h.out_of_order},
           {"unknown_ref", h.unknown_ref}}) {
    w.Sample("promlet_tsdb_head_samples_rejected_total", {{"reason", reason}}, static_cast<double>(n));
  }
  Counter(w, "promlet_tsdb_out_of_order_samples_total", "Total number of out of order samples ingestion failed attempts.",
          static_cast<double>(h.out_of_order));
  Counter(w, "promlet_tsdb_wal_commits_total", "Commits written to the WAL.", static_cast<double>(s.wal.commits));
  Counter(w, "promlet_tsdb_wal_written_bytes_total", "Framed bytes written to the WAL.",
          static_cast<double>(s.wal.bytes_written));
  Counter(w, "promlet_tsdb_wal_segments_created_total", "WAL segments created.",
          static_cast<double>(s.wal.segments_created));
  Counter(w, "promlet_tsdb_wal_fsync_total", "WAL fsyncs.", static_cast<double>(s.wal.syncs));
  Counter(w, "promlet_tsdb_wal_writes_failed_total", "Total number of WAL writes that failed.",
          static_cast<double>(s.wal.failed_commits));
  Counter(w, "promlet_tsdb_wal_corruptions_total", "Total number of WAL corruptions repaired at start-up.",
          static_cast<double>(s.replay.corruptions));
  Gauge(w, "promlet_tsdb_blocks_loaded", "Number of currently loaded data blocks.",
        static_cast<double>(s.num_blocks));
  Gauge(w, "promlet_tsdb_storage_blocks_bytes", "The number of bytes that are currently used for local storage by all blocks.",
        static_cast<double>(s.blocks_bytes));
  Counter(w, "promlet_tsdb_head_blocks_written_total", "Blocks cut from the head.",
          static_cast<double>(s.head_blocks_written));
  Counter(w, "promlet_tsdb_compactions_total", "Total number of compactions that were executed.",
          static_cast<double>(s.compactions));
  Counter(w, "promlet_tsdb_compactions_failed_total", "Total number of compactions that failed.",
          static_cast<double>(s.compaction_failures));
  Counter(w, "promlet_tsdb_checkpoint_creations_total", "Total number of checkpoint creations attempted.",
          static_cast<double>(s.checkpoints));
  Counter(w, "promlet_tsdb_retention_deleted_blocks_total", "Blocks deleted by time or size retention.",
          static_cast<double>(s.retention_deleted_blocks));
  Counter(w, "promlet_tsdb_disk_full_errors_total", "WAL writes that failed because the disk was full.",
          static_cast<double>(s.disk_full_errors));
  Gauge(w, "promlet_tsdb_read_only", "1 while the database refuses writes because the disk is full.",
        s.read_only ? 1 : 0);
}

void CollectScrape(MetricsWriter& w, ServerContext* ctx) {
  scrape::ScrapeManager* m = ctx->scraper;
  Gauge(w, "promlet_config_last_reload_successful", "Whether the last configuration reload attempt was successful.",
        m->last_reload_successful() ? 1 : 0);
  absl::Time t = m->last_reload_success_time();
  {
    absl::MutexLock lock(&ctx->mu);
    if (t == absl::InfinitePast() || t < ctx->last_config_time) t = ctx->last_config_time;
  }
  Gauge(w, "promlet_config_last_reload_success_timestamp_seconds",
        "Timestamp of the last successful configuration reload.", absl::ToDoubleSeconds(t - absl::UnixEpoch()));
  std::map<std::string, std::map<std::string, uint64_t>> by_job;  // job -> health -> n
  for (const scrape::TargetSnapshot& s : m->ActiveTargets()) {
    ++by_job[s.job][std::string(scrape::TargetHealthName(s.health))];
  }
  w.Family("promlet_sd_discovered_targets", "Current number of active targets per scrape pool.", "gauge");
  for (const auto& [job, health] : by_job) {
    uint64_t n = 0;
    for (const auto& [_, k] : health) n += k;
    w.Sample("promlet_sd_discovered_targets", {{"config", job}}, static_cast<double>(n));
  }
  w.Family("promlet_target_health", "Active targets per scrape pool and health.", "gauge");
  for (const auto& [job, health] : by_job) {
    for (const auto& [h, n] : health) {
      w.Sample("promlet_target_health", {{"health", h}, {"scrape_job", job}}, static_cast<double>(n));
    }
  }
  std::map<std::string, uint64_t> dropped;
  for (const scrape::DroppedTarget& d : m->DroppedTargets()) ++dropped[d.job];
  w.Family("promlet_target_dropped", "Targets dropped by relabeling per scrape pool.", "gauge");
  for (const auto& [job, n] : dropped) {
    w.Sample("promlet_target_dropped", {{"scrape_job", job}}, static_cast<double>(n));
  }
}

}  // namespace

void EngineMetrics::QueryStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }

void EngineMetrics::QueryFinished(const query::QueryTimings& timings) {
  prepare_time_.Observe(timings.prepare_seconds);
  inner_eval_.Observe(timings.inner_eval_seconds);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
}

void EngineMetrics::Collect(MetricsWriter& w) const {
  Gauge(w, "promlet_engine_queries", "The current number of queries being executed or waiting.",
        static_cast<double>(in_flight_.load(std::memory_order_relaxed)));
  Gauge(w, "promlet_engine_queries_concurrent_max", "The max number of concurrent queries.",
        concurrent_max_);
  constexpr char kName[] = "promlet_engine_query_duration_seconds";
  w.Family(kName, "Query timings", "summary");
  inner_eval_.Collect(w, kName, {{"slice", "inner_eval"}});
  prepare_time_.Collect(w, kName, {{"slice", "prepare_time"}});
}

void RegisterSelfMetrics(MetricsRegistry* registry, ServerContext* ctx, HttpMetrics* http,
                         const EngineMetrics* engine) {
  const double start_seconds = absl::ToDoubleSeconds(ctx->start_time - absl::UnixEpoch());
  registry->AddCollector([](MetricsWriter& w) {
    w.Family("promlet_build_info", "A metric with a constant '1' value labeled by version.", "gauge");
    w.Sample("promlet_build_info", {{"version", kVersion}}, 1);
  });
  registry->AddCollector([ctx](MetricsWriter& w) {
    Gauge(w, "promlet_ready", "Whether promlet startup was fully completed and the server is ready for normal operation.",
          ctx->ready.load(std::memory_order_relaxed) ? 1 : 0);
  });
  registry->AddCollector([ctx](MetricsWriter& w) { CollectStorage(w, ctx->db); });
  registry->AddCollector([ctx](MetricsWriter& w) { CollectScrape(w, ctx); });
  registry->AddCollector([http](MetricsWriter& w) { http->Collect(w); });
  registry->AddCollector([engine](MetricsWriter& w) { engine->Collect(w); });
  registry->AddCollector([start_seconds](MetricsWriter& w) { CollectProcessMetrics(w, start_seconds); });
}

}  // namespace promlet::tools
