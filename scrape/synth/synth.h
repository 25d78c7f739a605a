// Synthetic scrape targets for tests and benchmarks: each target exposes M
// series shaped like a web service (http_requests_total counters,
// http_request_duration_seconds classic histograms with 12 buckets,
// in-flight gauges; labels method/route/status), deterministic from a seed,
// values changing on every scrape, optional churn (a fraction of series
// replaced by new label sets each scrape). The body is rendered once with
// fixed-width value fields and then updated in place, so the generator costs
// little next to what is being measured.
//
//   SynthTarget t(/*index=*/0, {.series = 10000, .seed = 42});
//   const std::string& body = t.NextBody();   // new values each call
//
//   ASSIGN_OR_RETURN(auto srv, SynthServer::Start("127.0.0.1", 9100, /*targets=*/10, opts));
//   ... srv->port(i) ...; srv->Stop();
#ifndef PROMLET_SCRAPE_SYNTH_SYNTH_H_
#define PROMLET_SCRAPE_SYNTH_SYNTH_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace promlet::scrape {

struct SynthOptions {
  int series = 1000;   // per target
  uint64_t seed = 1;
  double churn = 0;    // fraction of endpoint groups renamed per scrape, 0..1
};

// Thread-compatible.
class SynthTarget {
 public:
  SynthTarget(int index, SynthOptions opts);
  // Advances every value and returns the exposition (text format 0.0.4).
  // The reference stays valid until the next call.
  const std::string& NextBody();
  const std::string& body() const { return body_; }
  int series() const { return opts_.series; }
  uint64_t scrapes() const { return scrapes_; }

 private:
  enum class Kind : uint8_t { kCounter, kBucket, kSum, kCount, kGauge };
  struct Field {
    uint32_t value_offset;  // where the fixed-width value starts in body_
    uint32_t group;         // endpoint group, for churn and histogram coupling
    Kind kind;
    uint8_t bucket;         // bucket index for kBucket
  };
  void Render();
  void Churn();

  const int index_;
  const SynthOptions opts_;
  std::mt19937_64 rng_;
  std::string body_;
  std::vector<Field> fields_;
  std::vector<uint32_t> pod_offsets_;    // per group: offset of its pod="..." digits (each occurrence)
  std::vector<uint32_t> pod_group_;
  std::vector<uint64_t> counts_;         // per group: requests so far
  std::vector<std::array<uint64_t, 12>> buckets_;
  std::vector<double> sums_;
  std::vector<uint32_t> pods_;
  int groups_ = 0;
  uint64_t scrapes_ = 0;
};

// N cpp-httplib servers on consecutive ports serving /metrics. Thread-safe.
class SynthServer {
 public:
  // first_port 0 picks free ports (not necessarily consecutive).
  static absl::StatusOr<std::unique_ptr<SynthServer>> Start(const std::string& host, int first_port,
                                                            int targets, SynthOptions opts);
  ~SynthServer();
  void Stop();
  int port(int i) const { return ports_[i]; }
  int size() const { return static_cast<int>(ports_.size()); }

 private:
  struct Instance;
  SynthServer() = default;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<int> ports_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_SYNTH_SYNTH_H_
