// A fixed set of scrape worker threads sharing a stack of ScrapeScratch
// (body buffer, parsers): at most one per worker, so memory follows the
// number of workers, not the number of targets. A task takes the scratch
// used last (LIFO), whose ~1 MB body buffer is still in cache; with one
// scratch per thread the waiters' round robin handed each scrape the
// coldest buffer, and the body's recv() then missed on every line.
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
  std::vector<std::unique_ptr<ScrapeScratch>> spare_ ABSL_GUARDED_BY(mu_);  // most recently used last
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_WORKER_POOL_H_
