// libFuzzer target: every format x strictness over the input, touching every
// accessor; a crash, sanitizer report or leak fails. Also checks invariants:
// views lie inside the body, errors carry a position, and the SIMD fast path
// (ParserOptions::fast_path) and the scrape cache's ExpectSeries() hints
// yield exactly what the general code yields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scrape/textparse/lex_util.h"
#include "scrape/textparse/parser.h"

namespace tp = promlet::scrape::textparse;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void Run(std::string_view body, tp::Format f, tp::Strictness s, bool skip_created) {
  tp::ParserOptions o;
  o.format = f;
  o.strictness = s;
  o.skip_created_series = skip_created;
  tp::Parser p(o);
  p.Reset(body);
  const char* b = body.data();
  const char* e = body.data() + body.size();
  auto inside = [&](std::string_view v) { return v.empty() || (v.data() >= b && v.data() + v.size() <= e); };
  for (int i = 0; i < 1 << 20; ++i) {
    tp::Entry en = p.Next();
    if (en == tp::Entry::kEof) return;
    if (en == tp::Entry::kError) {
      Check(!p.status().ok());
      Check(p.status().message().find("line ") == 0);
      Check(p.Next() == tp::Entry::kError);
      return;
    }
    switch (en) {
      case tp::Entry::kSeries: {
        Check(inside(p.series()));
        Check(!p.metric_name().empty());
        size_t n = 0;
        for (const auto& l : p.labels()) n += l.name.size() + l.value.size();
        (void)n;
        if (p.has_exemplar()) (void)p.exemplar().labels.size();
        (void)p.family_name();
        promlet::storage::LabelsBuilder lb;
        p.LabelsTo(&lb);
        break;
      }
      case tp::Entry::kHelp:
        (void)p.help();
        break;
      case tp::Entry::kComment:
        Check(inside(p.comment()));
        break;
      default:
        break;
    }
  }
}

// Everything the scrape loop sees of one entry.
std::string Describe(tp::Parser& p, tp::Entry en, std::string_view body) {
  std::string s(1, static_cast<char>('0' + static_cast<int>(en)));
  if (en == tp::Entry::kError) return s + std::string(p.status().message());
  if (en != tp::Entry::kSeries) return s;
  double v = p.value();
  char bits[sizeof v];
  std::memcpy(bits, &v, sizeof v);
  s.append(bits, sizeof bits);
  s += std::to_string(p.series().data() - body.data()) + ":";
  s.append(p.series()).append("|").append(p.metric_name()).append("|");
  if (p.has_timestamp()) s += std::to_string(p.timestamp_ms());
  for (const auto& l : p.labels()) s.append("|").append(l.name).append("=").append(l.value);
  return s;
}

void CompareFastPath(std::string_view body, tp::Format f) {
  tp::ParserOptions o;
  o.format = f;
  tp::Parser fast(o);
  o.fast_path = false;
  tp::Parser general(o);
  fast.Reset(body);
  general.Reset(body);
  for (int i = 0; i < 1 << 20; ++i) {
    tp::Entry a = fast.Next();
    tp::Entry b = general.Next();
    Check(Describe(fast, a, body) == Describe(general, b, body));
    if (a == tp::Entry::kEof || a == tp::Entry::kError) return;
  }
}

// The scrape cache's ExpectSeries() hints (0.0.4): the body's own series
// keys as hints, in order and rotated by one either way (near misses),
// change nothing the scrape loop sees.
void CompareHinted(std::string_view body) {
  tp::Parser general;
  general.Reset(body);
  std::vector<std::string> keys;
  for (tp::Entry en; (en = general.Next()) != tp::Entry::kEof && en != tp::Entry::kError;) {
    if (en == tp::Entry::kSeries) keys.emplace_back(general.series());
  }
  if (keys.empty()) return;
  for (size_t shift : {size_t{0}, size_t{1}, keys.size() - 1}) {
    tp::Parser hinted;
    tp::Parser plain;
    hinted.Reset(body);
    plain.Reset(body);
    for (size_t i = 0; i < 1 << 20; ++i) {
      hinted.ExpectSeries(keys[(i + shift) % keys.size()]);
      tp::Entry a = hinted.Next();
      tp::Entry b = plain.Next();
      Check(Describe(hinted, a, body) == Describe(plain, b, body));
      if (a == tp::Entry::kSeries) Check(hinted.family_name() == plain.family_name());
      if (a == tp::Entry::kEof || a == tp::Entry::kError) break;
    }
  }
}

// The SIMD number branch (ParseShortNumber) against the scalar path, for a
// token at every offset of the input: when the branch takes a token, the
// scalar path takes the same bytes and gives the same bits.
void CompareNumberBranches(std::string_view body) {
  auto delim = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '{'; };
  const char* b = body.data();
  const char* e = body.data() + body.size();
  for (const char* p = b; p < e && p < b + 256; ++p) {
    const char* fast_end = nullptr;
    double fast = 0;
    if (!tp::internal::ParseShortNumber(b, p, e, delim, &fast_end, &fast)) continue;
    const char* scalar_end = nullptr;
    double scalar = 0;
    Check(tp::internal::ParseNumberTokenScalar(p, e, delim, &scalar_end, &scalar));
    Check(fast_end == scalar_end && std::memcmp(&fast, &scalar, sizeof fast) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy into an exact-size heap buffer so ASan catches any read past the end.
  std::unique_ptr<char[]> buf(new char[size ? size : 1]);
  if (size) std::memcpy(buf.get(), data, size);
  std::string_view body(buf.get(), size);
  for (tp::Format f : {tp::Format::kPrometheusText, tp::Format::kOpenMetrics}) {
    for (tp::Strictness s : {tp::Strictness::kScrape, tp::Strictness::kStrict}) {
      Run(body, f, s, size % 2 == 1);
    }
  }
  CompareFastPath(body, tp::Format::kPrometheusText);
  CompareFastPath(body, tp::Format::kOpenMetrics);
  CompareHinted(body);
  CompareNumberBranches(body);
  double d;
  (void)tp::ParsePromFloat(body.substr(0, 64), &d);
  return 0;
}
