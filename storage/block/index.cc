#include "storage/block/index.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/block/block_format.h"

namespace promlet::storage::block {
namespace {

using base::GetVarint64;
using base::PutVarint64;

void PutSection(std::string* dst, const std::string& payload) {
  base::PutFixed32(dst, static_cast<uint32_t>(payload.size()));
  dst->append(payload);
  base::PutFixed32(dst, base::Crc32c(payload));
}

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat("index: ", base::Absl(what)));
}

absl::Status GetSection(std::string_view* in, std::string_view name, std::string_view* out) {
  uint32_t len = 0, crc = 0;
  if (!base::GetFixed32(in, &len) || len > in->size() || in->size() - len < 4) {
    return Corrupt(absl::StrCat(base::Absl(name), " section truncated"));
  }
  *out = in->substr(0, len);
  in->remove_prefix(len);
  base::GetFixed32(in, &crc);
  if (base::Crc32c(*out) != crc) return Corrupt(absl::StrCat(base::Absl(name), " section crc mismatch"));
  return absl::OkStatus();
}

}  // namespace

std::string EncodeIndex(const std::vector<IndexSeries>& series, int64_t block_min_ms) {
  // Symbols.
  std::vector<std::string_view> syms;
  for (const IndexSeries& s : series) {
    for (Label l : s.labels) {
      syms.push_back(l.name);
      syms.push_back(l.value);
    }
  }
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  absl::flat_hash_map<std::string_view, uint32_t, base::StringHash, base::StringEq> sym_id;
  sym_id.reserve(syms.size());
  std::string sym_section;
  PutVarint64(&sym_section, syms.size());
  for (size_t i = 0; i < syms.size(); ++i) {
    sym_id.emplace(syms[i], static_cast<uint32_t>(i));
    base::PutLengthPrefixed(&sym_section, syms[i]);
  }
  // Series and postings.
  std::string series_section, offsets_section;
  std::map<std::string_view, std::map<std::string_view, std::vector<uint32_t>>> postings;
  for (size_t id = 0; id < series.size(); ++id) {
    const IndexSeries& s = series[id];
    base::PutFixed32(&offsets_section, static_cast<uint32_t>(series_section.size()));
    PutVarint64(&series_section, s.labels.size());
    for (Label l : s.labels) {
      PutVarint64(&series_section, sym_id.find(l.name)->second);
      PutVarint64(&series_section, sym_id.find(l.value)->second);
      postings[l.name][l.value].push_back(static_cast<uint32_t>(id));
    }
    PutVarint64(&series_section, s.chunks.size());
    int64_t prev_t = block_min_ms;
    uint64_t prev_ref = 0;
    for (const ChunkMeta& c : s.chunks) {
      base::PutVarsint64(&series_section, c.min_time_ms - prev_t);
      PutVarint64(&series_section, static_cast<uint64_t>(c.max_time_ms - c.min_time_ms));
      PutVarint64(&series_section, c.ref - prev_ref);
      prev_t = c.max_time_ms;
      prev_ref = c.ref;
    }
  }
  std::string post_section;
  PutVarint64(&post_section, postings.size());
  for (const auto& [name, values] : postings) {
    PutVarint64(&post_section, sym_id.find(name)->second);
    PutVarint64(&post_section, values.size());
    for (const auto& [value, ids] : values) {
      PutVarint64(&post_section, sym_id.find(value)->second);
      PutVarint64(&post_section, ids.size());
      uint32_t prev = 0;
      for (uint32_t id : ids) {
        PutVarint64(&post_section, id - prev);
        prev = id;
      }
    }
  }
  std::string out;
  base::PutFixed32(&out, kIndexMagic);
  out.push_back(static_cast<char>(kFormatVersion));
  out.append(3, '\0');
  PutSection(&out, sym_section);
  PutSection(&out, series_section);
  PutSection(&out, offsets_section);
  PutSection(&out, post_section);
  return out;
}

absl::StatusOr<IndexReader> IndexReader::Open(std::string_view data, int64_t block_min_ms) {
  if (data.size() < kFileHeaderSize || base::DecodeFixed32(data.data()) != kIndexMagic) {
    return Corrupt("bad magic");
  }
  if (static_cast<uint8_t>(data[4]) != kFormatVersion) return Corrupt("unsupported version");
  if (data[5] != 0 || data[6] != 0 || data[7] != 0) return Corrupt("bad header padding");
  data.remove_prefix(kFileHeaderSize);
  IndexReader r;
  r.block_min_ms_ = block_min_ms;
  std::string_view syms, offsets;
  RETURN_IF_ERROR(GetSection(&data, "symbols", &syms));
  RETURN_IF_ERROR(GetSection(&data, "series", &r.series_));
  RETURN_IF_ERROR(GetSection(&data, "offsets", &offsets));
  RETURN_IF_ERROR(GetSection(&data, "postings", &r.postings_));
  if (!data.empty()) return Corrupt("trailing bytes");
  uint64_t n;
  if (!GetVarint64(&syms, &n) || n > syms.size()) return Corrupt("bad symbol count");
  r.symbols_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!base::GetLengthPrefixed(&syms, &s)) return Corrupt("bad symbol");
    r.symbols_.push_back(s);
  }
  if (offsets.size() % 4 != 0) return Corrupt("bad offsets section");
  r.series_offsets_.resize(offsets.size() / 4);
  for (size_t i = 0; i < r.series_offsets_.size(); ++i) {
    r.series_offsets_[i] = base::DecodeFixed32(offsets.data() + 4 * i);
  }
  RETURN_IF_ERROR(r.Validate());
  return r;
}

absl::Status IndexReader::Validate() {
  const uint64_t nsym = symbols_.size();
  uint32_t prev_off = 0;
  for (size_t id = 0; id < series_offsets_.size(); ++id) {
    uint32_t off = series_offsets_[id];
    if (off > series_.size() || (id > 0 && off <= prev_off)) return Corrupt("bad series offset");
    prev_off = off;
    uint32_t end = id + 1 < series_offsets_.size() ? series_offsets_[id + 1] : series_.size();
    if (end < off || end > series_.size()) return Corrupt("bad series offset");
    std::string_view in = series_.substr(off, end - off);
    uint64_t nl = 0, a = 0, b = 0, nc = 0;
    if (!GetVarint64(&in, &nl) || nl > in.size()) return Corrupt("bad series labels");
    for (uint64_t i = 0; i < nl; ++i) {
      if (!GetVarint64(&in, &a) || !GetVarint64(&in, &b) || a >= nsym || b >= nsym) {
        return Corrupt(absl::StrCat("series ", id, ": bad label symbol"));
      }
    }
    if (!GetVarint64(&in, &nc) || nc > in.size()) return Corrupt("bad chunk count");
    for (uint64_t i = 0; i < nc; ++i) {
      int64_t d = 0;
      if (!base::GetVarsint64(&in, &d) || !GetVarint64(&in, &a) || !GetVarint64(&in, &b)) {
        return Corrupt(absl::StrCat("series ", id, ": bad chunk meta"));
      }
    }
    if (!in.empty()) return Corrupt(absl::StrCat("series ", id, ": trailing bytes"));
  }
  std::string_view in = postings_;
  uint64_t nn;
  if (!GetVarint64(&in, &nn) || nn > in.size()) return Corrupt("bad postings name count");
  names_.reserve(nn);
  const uint64_t nser = series_offsets_.size();
  for (uint64_t i = 0; i < nn; ++i) {
    uint64_t name, nv;
    if (!GetVarint64(&in, &name) || name >= nsym || !GetVarint64(&in, &nv) || nv > in.size()) {
      return Corrupt("bad postings name");
    }
    NameEntry& ne = names_.emplace_back();
    ne.name = symbols_[name];
    if (names_.size() > 1 && names_[names_.size() - 2].name >= ne.name) return Corrupt("postings names unsorted");
    ne.values.reserve(nv);
    for (uint64_t j = 0; j < nv; ++j) {
      uint64_t value, count;
      if (!GetVarint64(&in, &value) || value >= nsym || !GetVarint64(&in, &count) || count > in.size() ||
          count > nser) {
        return Corrupt("bad postings value");
      }
      uint32_t offset = static_cast<uint32_t>(in.data() - postings_.data());
      uint64_t id = 0;
      for (uint64_t k = 0; k < count; ++k) {
        uint64_t d;
        if (!GetVarint64(&in, &d) || (k > 0 && d == 0)) return Corrupt("bad postings list");
        id += d;
        if (id >= nser) return Corrupt("postings id out of range");
      }
      ne.values.push_back({symbols_[value], static_cast<uint32_t>(count), offset});
      if (ne.values.size() > 1 && ne.values[ne.values.size() - 2].value >= ne.values.back().value) {
        return Corrupt("postings values unsorted");
      }
    }
  }
  if (!in.empty()) return Corrupt("trailing postings bytes");
  return absl::OkStatus();
}

void IndexReader::Series(uint32_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const {
  uint32_t off = series_offsets_[id];
  std::string_view in = series_.substr(off);
  uint64_t nl = 0, a = 0, b = 0, nc = 0;
  GetVarint64(&in, &nl);
  std::string enc;
  for (uint64_t i = 0; i < nl; ++i) {
    GetVarint64(&in, &a);
    GetVarint64(&in, &b);
    base::PutLengthPrefixed(&enc, symbols_[a]);
    base::PutLengthPrefixed(&enc, symbols_[b]);
  }
  *labels = Labels::FromEncoded(std::move(enc));
  GetVarint64(&in, &nc);
  chunks->clear();
  int64_t t = block_min_ms_;
  uint64_t ref = 0;
  for (uint64_t i = 0; i < nc; ++i) {
    int64_t d = 0;
    base::GetVarsint64(&in, &d);
    GetVarint64(&in, &a);
    GetVarint64(&in, &b);
    ChunkMeta c;
    // Wrapping arithmetic: a corrupt delta must not be signed overflow.
    c.min_time_ms = static_cast<int64_t>(static_cast<uint64_t>(t) + static_cast<uint64_t>(d));
    c.max_time_ms = static_cast<int64_t>(static_cast<uint64_t>(c.min_time_ms) + a);
    ref += b;
    c.ref = ref;
    t = c.max_time_ms;
    chunks->push_back(c);
  }
}

const IndexReader::NameEntry* IndexReader::FindName(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const NameEntry& e, std::string_view n) { return e.name < n; });
  return it != names_.end() && it->name == name ? &*it : nullptr;
}

void IndexReader::AppendPostings(const ValueEntry& v, std::vector<uint32_t>* out) const {
  std::string_view in = postings_.substr(v.offset);
  uint64_t id = 0, d = 0;
  for (uint32_t k = 0; k < v.count; ++k) {
    GetVarint64(&in, &d);
    id += d;
    out->push_back(static_cast<uint32_t>(id));
  }
}

void IndexReader::Postings(std::string_view name, std::string_view value,
                           std::vector<uint32_t>* out) const {
  out->clear();
  const NameEntry* ne = FindName(name);
  if (ne == nullptr) return;
  auto it = std::lower_bound(ne->values.begin(), ne->values.end(), value,
                             [](const ValueEntry& e, std::string_view v) { return e.value < v; });
  if (it != ne->values.end() && it->value == value) AppendPostings(*it, out);
}

}  // namespace promlet::storage::block
