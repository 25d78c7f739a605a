// The scraper as a whole: discovery providers per job, target sync, a
// scheduler that spreads each target's scrapes over its interval by a
// stable per-target offset, and a bounded worker pool that runs them.
// ApplyConfig reloads: unchanged jobs and targets keep their loops (no gap),
// removed targets get staleness markers like Prometheus endOfRunStaleness
// (at the next would-be scrape time, written just over 2 intervals later),
// a changed job restarts its loops on the same schedule.
//
//   ScrapeManagerOptions o;
//   o.appendable = db;  o.dns_server = flags.dns_server;
//   ASSIGN_OR_RETURN(std::unique_ptr<ScrapeManager> m, ScrapeManager::Create(o));
//   RETURN_IF_ERROR(m->ApplyConfig(cfg));
//   ... m->ActiveTargets(), m->DroppedTargets(), m->Metadata() for /api/v1
//   m->Stop();
#ifndef PROMLET_SCRAPE_LOOP_SCRAPE_MANAGER_H_
#define PROMLET_SCRAPE_LOOP_SCRAPE_MANAGER_H_

#include <map>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "scrape/config/config.h"
#include "scrape/discovery/discoverer.h"
#include "scrape/discovery/host_map.h"
#include "scrape/discovery/resolver.h"
#include "scrape/loop/scrape_loop.h"
#include "scrape/loop/target.h"
#include "scrape/loop/worker_pool.h"
#include "storage/api/appender.h"

namespace promlet::scrape {

struct ScrapeManagerOptions {
  storage::Appendable* appendable = nullptr;  // borrowed; required
  base::Clock* clock = base::Clock::Real();   // borrowed
  int num_workers = 0;                        // 0: 4 per core, at least 4
  std::string dns_server;                     // --discovery.dns-server HOST:PORT, "" = system
  absl::Duration discovery_poll = absl::Milliseconds(200);  // file change checks
};

struct DroppedTarget {
  std::string job;
  storage::Labels discovered_labels;
};

struct TargetMetadata {
  storage::Labels target;  // public labels
  std::string metric;
  MetricMetadata metadata;
};

class ScrapeManager {
 public:
  static absl::StatusOr<std::unique_ptr<ScrapeManager>> Create(ScrapeManagerOptions options);
  ~ScrapeManager();

  // Applies a parsed config (see LoadConfigFile). Thread-safe.
  absl::Status ApplyConfig(const Config& cfg);
  // Parses and applies `path`; on error the running config stays and
  // last_reload_successful() turns false.
  absl::Status ReloadFile(const std::string& path);
  bool last_reload_successful() const;
  absl::Time last_reload_success_time() const;

  std::vector<TargetSnapshot> ActiveTargets() const;
  std::vector<DroppedTarget> DroppedTargets() const;
  // Every target's metric metadata; `metric` "" means all.
  std::vector<TargetMetadata> Metadata(std::string_view metric = "") const;
  // Latest error of each discovery provider ("" entries omitted).
  std::vector<std::string> DiscoveryErrors() const;

  // Stops discovery, scheduling and workers; no staleness markers (the
  // process is going away, as in Prometheus).
  void Stop();

 private:
  struct Loop;
  struct Job;
  struct Scheduled {
    absl::Time due;
    uint64_t seq;
    std::shared_ptr<Loop> loop;
    bool operator>(const Scheduled& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };

  explicit ScrapeManager(ScrapeManagerOptions o, std::unique_ptr<Resolver> resolver);
  void SchedulerMain();
  void DiscoveryMain();
  void RunDue(std::shared_ptr<Loop> loop, absl::Time due, ScrapeScratch* scratch);
  void Schedule(std::shared_ptr<Loop> loop, absl::Time due) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SyncJob(Job* job, const std::vector<TargetGroup>& groups) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RetireLoop(const std::shared_ptr<Loop>& loop, bool stale) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<Job> NewJob(const ScrapeConfig& sc);
  absl::Time FirstDue(uint64_t hash, absl::Duration interval) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ScrapeManagerOptions opts_;
  const std::unique_ptr<Resolver> resolver_;
  HostMap hosts_;
  WorkerPool workers_;

  mutable absl::Mutex mu_;
  absl::CondVar sched_cv_, disc_cv_;
  std::map<std::string, std::shared_ptr<Job>> jobs_ ABSL_GUARDED_BY(mu_);
  std::priority_queue<Scheduled, std::vector<Scheduled>, std::greater<>> heap_ ABSL_GUARDED_BY(mu_);
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool reload_ok_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time reload_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t offset_seed_ ABSL_GUARDED_BY(mu_) = 0;
  bool seeded_ ABSL_GUARDED_BY(mu_) = false;
  std::thread scheduler_, discovery_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_SCRAPE_MANAGER_H_
