// A fixed set of scrape worker threads, each with its own ScrapeScratch
// (body buffer, parsers), so memory follows the number of workers, not the
// number of targets.
#ifndef PROMLET_SCRAPE_LOOP_WORKER_POOL_H_
#define PROMLET_SCRAPE_LOOP_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "scrape/loop/scrape_loop.h"

namespace promlet::scrape {

// Thread-safe. Start() in the constructor, Stop() joins (also in the destructor).
class WorkerPool {
 public:
  using Task = std::function<void(ScrapeScratch*)>;
  explicit WorkerPool(int num_threads);
  ~WorkerPool();
  void Submit(Task t);
  // Finishes queued tasks, then joins.
  void Stop();
  size_t queued() const;
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();
  mutable absl::Mutex mu_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_WORKER_POOL_H_
