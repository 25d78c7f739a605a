#include "storage/block/meta.h"

#include <charconv>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/block/block_format.h"
#include "storage/block/file_util.h"

namespace promlet::storage::block {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

absl::Status Bad(std::string_view what) {
  return absl::DataLossError(absl::StrCat("meta.json: ", base::Absl(what)));
}

// Finds `"key":` and returns the text after it, or npos.
size_t FindKey(std::string_view json, std::string_view key) {
  std::string needle = absl::StrCat("\"", base::Absl(key), "\"");
  size_t p = json.find(needle);
  if (p == std::string_view::npos) return p;
  p += needle.size();
  while (p < json.size() && (json[p] == ' ' || json[p] == ':' || json[p] == '\n')) ++p;
  return p;
}

bool GetInt(std::string_view json, std::string_view key, int64_t* out) {
  size_t p = FindKey(json, key);
  if (p == std::string_view::npos) return false;
  auto r = std::from_chars(json.data() + p, json.data() + json.size(), *out);
  return r.ec == std::errc();
}

bool GetString(std::string_view json, size_t p, std::string* out, size_t* end) {
  if (p >= json.size() || json[p] != '"') return false;
  size_t q = json.find('"', p + 1);
  if (q == std::string_view::npos) return false;
  *out = std::string(json.substr(p + 1, q - p - 1));
  *end = q + 1;
  return true;
}

}  // namespace

std::string NewUlid(int64_t now_ms) {
  static absl::Mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t r1, r2;
  {
    absl::MutexLock l(&mu);
    r1 = rng();
    r2 = rng();
  }
  std::string s(26, '0');
  uint64_t t = static_cast<uint64_t>(now_ms);
  for (int i = 9; i >= 0; --i) {
    s[i] = kCrockford[t & 31];
    t >>= 5;
  }
  // 80 random bits = 16 characters.
  for (int i = 10; i < 26; ++i) {
    uint64_t& src = i < 22 ? r1 : r2;
    s[i] = kCrockford[src & 31];
    src >>= 5;
  }
  return s;
}

bool IsUlid(std::string_view s) {
  if (s.size() != 26) return false;
  for (char c : s) {
    if (std::string_view(kCrockford).find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string MetaToJson(const BlockMeta& m) {
  std::string sources;
  for (size_t i = 0; i < m.sources.size(); ++i) {
    absl::StrAppend(&sources, i ? ", " : "", "\"", m.sources[i], "\"");
  }
  return absl::StrCat("{\n  \"ulid\": \"", m.ulid, "\",\n  \"minTime\": ", m.min_time_ms,
                      ",\n  \"maxTime\": ", m.max_time_ms, ",\n  \"stats\": {\"numSamples\": ",
                      m.stats.num_samples, ", \"numSeries\": ", m.stats.num_series,
                      ", \"numChunks\": ", m.stats.num_chunks,
                      "},\n  \"compaction\": {\"level\": ", m.compaction_level, ", \"sources\": [",
                      sources, "]},\n  \"version\": ", kFormatVersion, "\n}\n");
}

absl::StatusOr<BlockMeta> MetaFromJson(std::string_view json) {
  BlockMeta m;
  size_t end;
  size_t p = FindKey(json, "ulid");
  if (p == std::string_view::npos || !GetString(json, p, &m.ulid, &end) || !IsUlid(m.ulid)) {
    return Bad("missing or bad ulid");
  }
  int64_t series, samples, chunks, level, version;
  if (!GetInt(json, "minTime", &m.min_time_ms) || !GetInt(json, "maxTime", &m.max_time_ms) ||
      !GetInt(json, "numSamples", &samples) || !GetInt(json, "numSeries", &series) ||
      !GetInt(json, "numChunks", &chunks) || !GetInt(json, "level", &level) ||
      !GetInt(json, "version", &version)) {
    return Bad("missing field");
  }
  if (version != kFormatVersion) return Bad(absl::StrCat("unsupported version ", version));
  if (m.max_time_ms < m.min_time_ms || series < 0 || samples < 0 || chunks < 0) {
    return Bad("inconsistent fields");
  }
  m.stats = {static_cast<uint64_t>(series), static_cast<uint64_t>(samples),
             static_cast<uint64_t>(chunks)};
  m.compaction_level = static_cast<int>(level);
  p = FindKey(json, "sources");
  if (p == std::string_view::npos || p >= json.size() || json[p] != '[') return Bad("missing sources");
  ++p;
  while (p < json.size() && json[p] != ']') {
    if (json[p] == ' ' || json[p] == ',') {
      ++p;
      continue;
    }
    std::string s;
    if (!GetString(json, p, &s, &end)) return Bad("bad sources");
    m.sources.push_back(std::move(s));
    p = end;
  }
  return m;
}

absl::Status WriteMetaFile(const std::string& block_dir, const BlockMeta& meta, base::Env* env) {
  return WriteFileSync(env, block_dir + "/" + kMetaFileName, MetaToJson(meta));
}

absl::StatusOr<BlockMeta> ReadMetaFile(const std::string& block_dir) {
  auto text = ReadFile(block_dir + "/" + kMetaFileName);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) {
      return absl::DataLossError(absl::StrCat(block_dir, ": ", text.status().message()));
    }
    return text.status();
  }
  auto m = MetaFromJson(*text);
  if (!m.ok()) return absl::DataLossError(absl::StrCat(block_dir, "/", m.status().message()));
  return m;
}

}  // namespace promlet::storage::block
