#include "scrape/loop/worker_pool.h"

namespace promlet::scrape {

WorkerPool::WorkerPool(int num_threads) {
  for (int i = 0; i < num_threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(Task t) {
  absl::MutexLock l(&mu_);
  queue_.push_back(std::move(t));
}

size_t WorkerPool::queued() const {
  absl::MutexLock l(&mu_);
  return queue_.size();
}

void WorkerPool::Stop() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::Run() {
  for (;;) {
    Task task;
    std::unique_ptr<ScrapeScratch> scratch;
    {
      absl::MutexLock l(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      if (spare_.empty()) {
        scratch = std::make_unique<ScrapeScratch>();
      } else {
        scratch = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    task(scratch.get());
    absl::MutexLock l(&mu_);
    spare_.push_back(std::move(scratch));
  }
}

}  // namespace promlet::scrape
