#include "storage/db/tombstones.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace promlet::storage::db {
namespace {

constexpr uint32_t kMagic = 0x53544C50;  // "PLTS"
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 8;
constexpr char kFileName[] = "tombstones";

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat("tombstones: ", base::Absl(what)));
}

// Rebuilds labels from their encoding, checking it (FromEncoded trusts its
// input; the file may have rotted).
bool DecodeLabels(std::string_view enc, Labels* out) {
  std::vector<Label> labels;
  while (!enc.empty()) {
    std::string_view name, value;
    if (!base::GetLengthPrefixed(&enc, &name) || !base::GetLengthPrefixed(&enc, &value)) {
      return false;
    }
    if (name.empty() || value.empty()) return false;
    if (!labels.empty() && labels.back().name >= name) return false;
    labels.push_back({name, value});
  }
  if (labels.empty()) return false;
  *out = Labels::FromVector(std::move(labels));
  return true;
}

// Skips samples under the intervals. Time only moves forward, so one
// cursor into the intervals suffices; Seek jumps over a deleted range
// instead of decoding it sample by sample.
class TombstonedIterator : public SeriesIterator {
 public:
  TombstonedIterator(std::unique_ptr<SeriesIterator> inner, const Intervals* intervals)
      : inner_(std::move(inner)), intervals_(intervals) {}
  bool Next() override { return SkipDeleted(inner_->Next()); }
  bool Seek(int64_t t_ms) override { return SkipDeleted(inner_->Seek(t_ms)); }
  Sample At() const override { return inner_->At(); }
  absl::Status status() const override { return inner_->status(); }

 private:
  bool SkipDeleted(bool ok) {
    const Intervals& iv = *intervals_;
    while (ok) {
      const int64_t t = inner_->At().t_ms;
      while (next_ < iv.size() && iv[next_].maxt_ms < t) ++next_;
      if (next_ == iv.size() || t < iv[next_].mint_ms) return true;
      if (iv[next_].maxt_ms == INT64_MAX) return false;
      ok = inner_->Seek(iv[next_].maxt_ms + 1);
    }
    return false;
  }

  std::unique_ptr<SeriesIterator> inner_;
  const Intervals* intervals_;
  size_t next_ = 0;  // first interval that may still cover a sample
};

class TombstonedSeries : public Series {
 public:
  TombstonedSeries(const Series* inner, const Intervals* intervals)
      : inner_(inner), intervals_(intervals) {}
  const Labels& labels() const override { return inner_->labels(); }
  std::unique_ptr<SeriesIterator> NewIterator() const override {
    return std::make_unique<TombstonedIterator>(inner_->NewIterator(), intervals_);
  }

 private:
  const Series* inner_;
  const Intervals* intervals_;
};

class TombstonedSeriesSet : public SeriesSet {
 public:
  TombstonedSeriesSet(std::unique_ptr<SeriesSet> inner,
                      std::shared_ptr<const TombstoneSet> tombstones)
      : inner_(std::move(inner)), tombstones_(std::move(tombstones)) {}

  bool Next() override {
    while (inner_->Next()) {
      const Series& s = inner_->At();
      const Intervals* iv = tombstones_->Find(s.labels());
      if (iv == nullptr) {
        current_ = &s;
        return true;
      }
      // At() must stay valid until the set dies: keep each wrapper.
      const TombstonedSeries& wrapped = wrapped_.emplace_back(&s, iv);
      std::unique_ptr<SeriesIterator> it = wrapped.NewIterator();
      if (it->Next() || !it->status().ok()) {
        current_ = &wrapped;
        return true;
      }
    }
    return false;
  }
  const Series& At() const override { return *current_; }
  absl::Status status() const override { return inner_->status(); }

 private:
  std::unique_ptr<SeriesSet> inner_;
  std::shared_ptr<const TombstoneSet> tombstones_;
  std::deque<TombstonedSeries> wrapped_;
  const Series* current_ = nullptr;
};

}  // namespace

void AddInterval(Intervals* intervals, Interval iv) {
  // Distances in uint64 so that the ends of the int64 range cannot overflow.
  auto gap = [](int64_t lo, int64_t hi) {
    return static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  };
  // Intervals ending before iv starts, without touching it, stay in front.
  auto first = std::lower_bound(
      intervals->begin(), intervals->end(), iv.mint_ms, [&](const Interval& x, int64_t mint) {
        return x.maxt_ms < mint && gap(x.maxt_ms, mint) > 1;
      });
  auto last = first;
  while (last != intervals->end() &&
         (last->mint_ms <= iv.maxt_ms || gap(iv.maxt_ms, last->mint_ms) == 1)) {
    iv.mint_ms = std::min(iv.mint_ms, last->mint_ms);
    iv.maxt_ms = std::max(iv.maxt_ms, last->maxt_ms);
    ++last;
  }
  first = intervals->erase(first, last);
  intervals->insert(first, iv);
}

bool IntervalsContain(const Intervals& intervals, int64_t t_ms) {
  auto it = std::lower_bound(intervals.begin(), intervals.end(), t_ms,
                             [](const Interval& x, int64_t t) { return x.maxt_ms < t; });
  return it != intervals.end() && it->mint_ms <= t_ms;
}

void TombstoneSet::Add(const Labels& series, Interval iv) {
  AddInterval(&by_series_[series], iv);
}

const Intervals* TombstoneSet::Find(const Labels& series) const {
  auto it = by_series_.find(series);
  return it == by_series_.end() ? nullptr : &it->second;
}

void TombstoneSet::Set(const Labels& series, Intervals intervals) {
  if (intervals.empty()) {
    by_series_.erase(series);
  } else {
    by_series_[series] = std::move(intervals);
  }
}

std::vector<Labels> TombstoneSet::SortedSeries() const {
  std::vector<Labels> out;
  out.reserve(by_series_.size());
  for (const auto& [labels, iv] : by_series_) out.push_back(labels);
  std::sort(out.begin(), out.end());
  return out;
}

std::string EncodeTombstones(const TombstoneSet& set) {
  std::string out;
  base::PutFixed32(&out, kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.append(3, '\0');
  base::PutVarint64(&out, set.size());
  for (const Labels& labels : set.SortedSeries()) {
    base::PutLengthPrefixed(&out, labels.bytes());
    const Intervals& iv = *set.Find(labels);
    base::PutVarint64(&out, iv.size());
    for (const Interval& i : iv) {
      base::PutVarsint64(&out, i.mint_ms);
      base::PutVarsint64(&out, i.maxt_ms);
    }
  }
  base::PutFixed32(&out, base::Crc32c(out));
  return out;
}

absl::StatusOr<TombstoneSet> DecodeTombstones(std::string_view data) {
  if (data.size() < kHeaderSize + 4) return Corrupt("file too short");
  if (base::DecodeFixed32(data.data()) != kMagic) return Corrupt("bad magic");
  if (static_cast<uint8_t>(data[4]) != kVersion) return Corrupt("unsupported version");
  const std::string_view body = data.substr(0, data.size() - 4);
  if (base::Crc32c(body) != base::DecodeFixed32(data.data() + body.size())) {
    return Corrupt("checksum mismatch");
  }
  std::string_view in = body.substr(kHeaderSize);
  uint64_t count;
  if (!base::GetVarint64(&in, &count)) return Corrupt("bad series count");
  TombstoneSet set;
  for (uint64_t s = 0; s < count; ++s) {
    std::string_view enc;
    Labels labels;
    uint64_t n;
    if (!base::GetLengthPrefixed(&in, &enc) || !DecodeLabels(enc, &labels)) {
      return Corrupt("bad series labels");
    }
    if (!base::GetVarint64(&in, &n) || n == 0 || n > in.size()) {
      return Corrupt("bad interval count");
    }
    Intervals iv;
    for (uint64_t i = 0; i < n; ++i) {
      Interval x;
      if (!base::GetVarsint64(&in, &x.mint_ms) || !base::GetVarsint64(&in, &x.maxt_ms) ||
          x.mint_ms > x.maxt_ms || (!iv.empty() && iv.back().maxt_ms >= x.mint_ms)) {
        return Corrupt("bad interval");
      }
      iv.push_back(x);
    }
    if (set.Find(labels) != nullptr) return Corrupt("duplicate series");
    set.Set(labels, std::move(iv));
  }
  if (!in.empty()) return Corrupt("trailing bytes");
  return set;
}

std::string TombstonePath(std::string_view dir) { return base::JoinPath(dir, kFileName); }

absl::StatusOr<TombstoneSet> ReadTombstoneFile(base::Env* env, const std::string& path) {
  if (!env->FileExists(path)) return TombstoneSet();
  std::string data;
  RETURN_IF_ERROR(env->ReadFileToString(path, &data));
  return DecodeTombstones(data);
}

absl::Status WriteTombstoneFile(base::Env* env, const std::string& path,
                                const TombstoneSet& set) {
  if (set.empty()) {
    if (!env->FileExists(path)) return absl::OkStatus();
    RETURN_IF_ERROR(env->RemoveFile(path));
    return env->SyncDir(base::DirName(path));
  }
  return env->WriteFileAtomically(path, EncodeTombstones(set));
}

std::unique_ptr<SeriesSet> ApplyTombstones(std::unique_ptr<SeriesSet> set,
                                           std::shared_ptr<const TombstoneSet> tombstones) {
  if (tombstones == nullptr || tombstones->empty()) return set;
  return std::make_unique<TombstonedSeriesSet>(std::move(set), std::move(tombstones));
}

}  // namespace promlet::storage::db
