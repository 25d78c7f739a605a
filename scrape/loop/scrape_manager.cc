#include "scrape/loop/scrape_manager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/logging.h"
#include "scrape/config/duration.h"
#include "scrape/discovery/dns_sd.h"
#include "scrape/discovery/file_sd.h"
#include "scrape/relabel/target_labels.h"

namespace promlet::scrape {

enum class LoopState { kRunning, kStopping, kStalePending, kDisabled };

struct ScrapeManager::Loop {
  std::unique_ptr<ScrapeLoop> loop;
  absl::Duration interval;
  LoopState state = LoopState::kRunning;  // guarded by the manager's mu_
  absl::Time stale_time;
};

struct ScrapeManager::Job {
  std::shared_ptr<const ScrapeConfig> cfg;
  std::vector<std::unique_ptr<Discoverer>> providers;  // used by the discovery thread only
  std::vector<std::vector<TargetGroup>> groups;        // guarded by mu_
  std::vector<absl::Time> next_refresh;                // discovery thread only
  std::vector<std::string> errors;                     // guarded by mu_
  bool synced = false;
  std::map<uint64_t, std::shared_ptr<Loop>> loops;     // by target hash; guarded by mu_
  std::vector<DroppedTarget> dropped;
  std::vector<std::shared_ptr<Target>> limit_failed;   // target_limit exceeded
};

absl::StatusOr<std::unique_ptr<ScrapeManager>> ScrapeManager::Create(ScrapeManagerOptions o) {
  if (o.appendable == nullptr) return absl::InvalidArgumentError("scrape manager needs an appendable");
  absl::StatusOr<std::unique_ptr<Resolver>> r = Resolver::Create(o.dns_server);
  if (!r.ok()) return r.status();
  if (o.num_workers <= 0) o.num_workers = std::max(4, 4 * static_cast<int>(std::thread::hardware_concurrency()));
  return std::unique_ptr<ScrapeManager>(new ScrapeManager(std::move(o), *std::move(r)));
}

ScrapeManager::ScrapeManager(ScrapeManagerOptions o, std::unique_ptr<Resolver> resolver)
    : opts_(std::move(o)), resolver_(std::move(resolver)), workers_(opts_.num_workers) {
  scheduler_ = std::thread([this] { SchedulerMain(); });
  discovery_ = std::thread([this] { DiscoveryMain(); });
}

ScrapeManager::~ScrapeManager() { Stop(); }

void ScrapeManager::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return;
    stopping_ = true;
    sched_cv_.SignalAll();
    disc_cv_.SignalAll();
  }
  scheduler_.join();
  discovery_.join();
  workers_.Stop();
}

std::shared_ptr<ScrapeManager::Job> ScrapeManager::NewJob(const ScrapeConfig& sc) {
  auto job = std::make_shared<Job>();
  job->cfg = std::make_shared<const ScrapeConfig>(sc);
  if (!sc.static_configs.empty()) job->providers.push_back(std::make_unique<StaticDiscoverer>(sc.static_configs));
  for (const FileSdConfig& f : sc.file_sd_configs) job->providers.push_back(std::make_unique<FileSd>(f));
  for (const DnsSdConfig& d : sc.dns_sd_configs) {
    job->providers.push_back(std::make_unique<DnsSd>(d, resolver_.get(), &hosts_));
  }
  job->groups.resize(job->providers.size());
  job->errors.resize(job->providers.size());
  job->next_refresh.assign(job->providers.size(), absl::InfinitePast());
  return job;
}

absl::Status ScrapeManager::ApplyConfig(const Config& cfg) {
  absl::MutexLock l(&mu_);
  if (!seeded_) {
    // Prometheus seeds offsets from external labels (and host name) so
    // several servers scraping one target do not align.
    offset_seed_ = cfg.global.external_labels.StableHash();
    seeded_ = true;
  }
  std::map<std::string, std::shared_ptr<Job>> next;
  for (const ScrapeConfig& sc : cfg.scrape_configs) {
    auto it = jobs_.find(sc.job_name);
    if (it != jobs_.end() && it->second->cfg->fingerprint == sc.fingerprint) {
      next[sc.job_name] = it->second;  // unchanged: loops keep running
      continue;
    }
    if (it != jobs_.end()) {
      // Changed job: restart its loops on the same schedule, no staleness
      // (Prometheus scrapePool.reload).
      for (auto& [h, loop] : it->second->loops) RetireLoop(loop, /*stale=*/false);
    }
    next[sc.job_name] = NewJob(sc);
  }
  for (auto& [name, job] : jobs_) {
    if (next.count(name)) continue;
    for (auto& [h, loop] : job->loops) RetireLoop(loop, /*stale=*/true);
  }
  jobs_ = std::move(next);
  disc_cv_.SignalAll();
  return absl::OkStatus();
}

absl::Status ScrapeManager::ReloadFile(const std::string& path) {
  absl::StatusOr<Config> cfg = LoadConfigFile(path);
  absl::Status s = cfg.ok() ? ApplyConfig(*cfg) : cfg.status();
  absl::MutexLock l(&mu_);
  reload_ok_ = s.ok();
  if (s.ok()) reload_time_ = opts_.clock->Now();
  if (!s.ok()) LOG_ERROR("error loading config, keeping the running one", "file", path, "err", s.ToString());
  return s;
}

bool ScrapeManager::last_reload_successful() const {
  absl::MutexLock l(&mu_);
  return reload_ok_;
}

absl::Time ScrapeManager::last_reload_success_time() const {
  absl::MutexLock l(&mu_);
  return reload_time_;
}

absl::Time ScrapeManager::FirstDue(uint64_t hash, absl::Duration interval) const {
  // Prometheus Target.offset: a slot pinned to absolute time, so the phase
  // of a target does not depend on when it was discovered.
  const absl::Time now = opts_.clock->Now();
  const int64_t iv = std::max<int64_t>(1, absl::ToInt64Nanoseconds(interval));
  const int64_t now_ns = absl::ToUnixNanos(now);
  const int64_t base = iv - now_ns % iv;
  const int64_t off = static_cast<int64_t>((hash ^ offset_seed_) % static_cast<uint64_t>(iv));
  int64_t next = base + off;
  if (next > iv) next -= iv;
  return now + absl::Nanoseconds(next);
}

void ScrapeManager::Schedule(std::shared_ptr<Loop> loop, absl::Time due) {
  heap_.push(Scheduled{due, seq_++, std::move(loop)});
  sched_cv_.Signal();
}

void ScrapeManager::RetireLoop(const std::shared_ptr<Loop>& loop, bool stale) {
  if (loop->state != LoopState::kRunning) return;
  loop->state = stale ? LoopState::kStopping : LoopState::kDisabled;
}

void ScrapeManager::SyncJob(Job* job, const std::vector<TargetGroup>& groups) {
  const ScrapeConfig& cfg = *job->cfg;
  std::vector<TargetLabels> all;
  std::vector<std::string> errs;
  for (const TargetGroup& g : groups) TargetsFromGroup(g, cfg, &all, &errs);
  for (const std::string& e : errs) LOG_WARN("creating target failed", "job", cfg.job_name, "err", e);
  job->dropped.clear();
  std::map<uint64_t, std::shared_ptr<Target>> wanted;
  for (TargetLabels& t : all) {
    if (t.labels.empty()) {
      job->dropped.push_back({cfg.job_name, std::move(t.discovered)});
      continue;
    }
    const absl::Duration iv = ParseDuration(t.labels.Get("__scrape_interval__")).value_or(cfg.scrape_interval);
    const absl::Duration to = ParseDuration(t.labels.Get("__scrape_timeout__")).value_or(cfg.scrape_timeout);
    std::string url = TargetUrl(t.labels, cfg);
    storage::Labels pub = PublicLabels(t.labels);
    auto target = std::make_shared<Target>(cfg.job_name, std::move(url), std::move(t.labels), std::move(pub),
                                           std::move(t.discovered), iv, to);
    wanted.emplace(target->hash(), std::move(target));
  }
  job->limit_failed.clear();
  if (cfg.target_limit > 0 && wanted.size() > cfg.target_limit) {
    const std::string err = absl::StrCat("target_limit exceeded (number of targets: ", wanted.size(),
                                         ", limit: ", cfg.target_limit, ")");
    for (auto& [h, loop] : job->loops) RetireLoop(loop, /*stale=*/true);
    job->loops.clear();
    for (auto& [h, t] : wanted) {
      t->Report(opts_.clock->Now(), absl::ZeroDuration(), err, 0);
      job->limit_failed.push_back(t);
    }
    return;
  }
  for (auto it = job->loops.begin(); it != job->loops.end();) {
    if (wanted.count(it->first)) {
      ++it;
    } else {
      RetireLoop(it->second, /*stale=*/true);
      it = job->loops.erase(it);
    }
  }
  for (auto& [h, t] : wanted) {
    if (job->loops.count(h)) continue;  // unchanged target: keeps its loop and cache
    auto loop = std::make_shared<Loop>();
    loop->interval = t->interval();
    auto scraper = std::make_unique<HttpScraper>(t->url(), cfg.http, cfg.body_size_limit, &hosts_);
    loop->loop = std::make_unique<ScrapeLoop>(job->cfg, t, std::move(scraper), opts_.appendable, opts_.clock);
    Schedule(loop, FirstDue(h, loop->interval));
    job->loops.emplace(h, std::move(loop));
  }
}

void ScrapeManager::SchedulerMain() {
  absl::MutexLock l(&mu_);
  while (!stopping_) {
    const absl::Time now = opts_.clock->Now();
    if (heap_.empty()) {
      sched_cv_.WaitWithTimeout(&mu_, absl::Seconds(1));
      continue;
    }
    if (heap_.top().due > now) {
      sched_cv_.WaitWithTimeout(&mu_, std::min(heap_.top().due - now, absl::Seconds(1)));
      continue;
    }
    Scheduled s = heap_.top();
    heap_.pop();
    Loop* loop = s.loop.get();
    switch (loop->state) {
      case LoopState::kDisabled:
        break;
      case LoopState::kStopping:
        // The next scrape would have been now: that is the staleness time;
        // write the markers a little over one more interval later, so a
        // target that comes back in between simply continues.
        loop->stale_time = s.due;
        loop->state = LoopState::kStalePending;
        Schedule(s.loop, s.due + loop->interval + loop->interval / 10);
        break;
      case LoopState::kStalePending:
        loop->state = LoopState::kDisabled;
        workers_.Submit([l = s.loop](ScrapeScratch*) { l->loop->WriteEndOfRunStaleness(l->stale_time); });
        break;
      case LoopState::kRunning:
        workers_.Submit([this, l = s.loop, due = s.due](ScrapeScratch* scratch) { RunDue(l, due, scratch); });
        break;
    }
  }
}

void ScrapeManager::RunDue(std::shared_ptr<Loop> loop, absl::Time due, ScrapeScratch* scratch) {
  {
    absl::MutexLock l(&mu_);
    if (stopping_ || loop->state == LoopState::kDisabled) return;
  }
  loop->loop->ScrapeAndReport(scratch);
  absl::MutexLock l(&mu_);
  if (stopping_ || loop->state == LoopState::kDisabled) return;
  // Next slot on the original grid; missed slots are skipped, not bunched.
  const absl::Time now = opts_.clock->Now();
  absl::Time next = due + loop->interval;
  if (next <= now) next += absl::Floor(now - next, loop->interval) + loop->interval;
  Schedule(loop, next);
}

void ScrapeManager::DiscoveryMain() {
  for (;;) {
    std::vector<std::pair<std::string, std::shared_ptr<Job>>> jobs;
    {
      absl::MutexLock l(&mu_);
      if (stopping_) return;
      jobs.assign(jobs_.begin(), jobs_.end());
    }
    for (auto& [name, job] : jobs) {
      bool dirty = !job->synced;
      for (size_t i = 0; i < job->providers.size(); ++i) {
        Discoverer* d = job->providers[i].get();
        const absl::Time now = opts_.clock->Now();
        if (now < job->next_refresh[i] && !d->Changed()) continue;
        DiscoveryResult r = d->Refresh();
        const absl::Duration iv = d->refresh_interval();
        job->next_refresh[i] = iv == absl::InfiniteDuration() ? absl::InfiniteFuture() : now + iv;
        const std::string err = absl::StrJoin(r.errors, "; ");
        absl::MutexLock l(&mu_);
        if (err != job->errors[i] && !err.empty()) {
          LOG_WARN("discovery failed, keeping last good targets", "job", name, "provider", d->name(), "err", err);
        }
        job->errors[i] = err;
        if (r.groups != job->groups[i]) {
          job->groups[i] = std::move(r.groups);
          dirty = true;
        }
      }
      if (!dirty) continue;
      absl::MutexLock l(&mu_);
      auto it = jobs_.find(name);
      if (it == jobs_.end() || it->second != job || stopping_) continue;
      std::vector<TargetGroup> all;
      for (const auto& g : job->groups) all.insert(all.end(), g.begin(), g.end());
      SyncJob(job.get(), all);
      job->synced = true;
    }
    absl::MutexLock l(&mu_);
    if (stopping_) return;
    disc_cv_.WaitWithTimeout(&mu_, opts_.discovery_poll);
  }
}

std::vector<TargetSnapshot> ScrapeManager::ActiveTargets() const {
  absl::MutexLock l(&mu_);
  std::vector<TargetSnapshot> out;
  for (const auto& [name, job] : jobs_) {
    for (const auto& [h, loop] : job->loops) out.push_back(loop->loop->target()->Snapshot());
    for (const auto& t : job->limit_failed) out.push_back(t->Snapshot());
  }
  return out;
}

std::vector<DroppedTarget> ScrapeManager::DroppedTargets() const {
  absl::MutexLock l(&mu_);
  std::vector<DroppedTarget> out;
  for (const auto& [name, job] : jobs_) out.insert(out.end(), job->dropped.begin(), job->dropped.end());
  return out;
}

std::vector<TargetMetadata> ScrapeManager::Metadata(std::string_view metric) const {
  std::vector<std::shared_ptr<Target>> targets;
  {
    absl::MutexLock l(&mu_);
    for (const auto& [name, job] : jobs_) {
      for (const auto& [h, loop] : job->loops) targets.push_back(loop->loop->target());
    }
  }
  std::vector<TargetMetadata> out;
  for (const auto& t : targets) {
    for (auto& [name, md] : t->Metadata()) {
      if (!metric.empty() && name != metric) continue;
      out.push_back({t->public_labels(), name, md});
    }
  }
  return out;
}

std::vector<std::string> ScrapeManager::DiscoveryErrors() const {
  absl::MutexLock l(&mu_);
  std::vector<std::string> out;
  for (const auto& [name, job] : jobs_) {
    for (const std::string& e : job->errors) {
      if (!e.empty()) out.push_back(absl::StrCat(name, ": ", e));
    }
  }
  return out;
}

}  // namespace promlet::scrape
