// Shared machinery of the parser (errors, label decoding, family
// resolution) and the Prometheus text format 0.0.4 grammar. The OpenMetrics
// grammar is in openmetrics_parser.cc.
//
// Scrape mode follows promlex.l/promparse.go token by token; where it is
// odd, the comment says which upstream rule it mirrors.
#include "scrape/textparse/parser.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "scrape/textparse/fast_series.h"
#include "scrape/textparse/family_validator.h"
#include "scrape/textparse/lex_util.h"

namespace promlet::scrape::textparse {

using internal::Is;
using internal::kLabelChar;
using internal::kLabelStart;
using internal::kMetricChar;
using internal::kMetricStart;
using internal::SkipBlanks;

namespace {

// Prometheus value.NormalNaN: every scraped NaN becomes this pattern, so a
// target can never inject the staleness marker.
double NormalNaN() {
  uint64_t bits = 0x7ff8000000000001ull;
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d;
}

// Go-style %q of a short token for error messages.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\x00"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

bool IsDelim(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ',' || c == '}' || c == '{' || c == '=' ||
         c == '"';
}

enum class FloatShape { kCanonical, kNeedsDotZero, kOther };

// Whether Go's FormatOpenMetricsFloat would print v exactly as written
// (kCanonical), as written plus ".0" (kNeedsDotZero), or possibly otherwise.
// A decimal of at most 15 significant digits without trailing zeros is its
// own shortest round trip; Go picks plain notation for 1e-4 <= |x| < 1e6.
FloatShape CanonicalFloatShape(std::string_view v) {
  if (v == "+Inf" || v == "-Inf" || v == "NaN") return FloatShape::kCanonical;
  size_t i = 0;
  if (!v.empty() && v[0] == '-') i = 1;
  size_t int_begin = i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  size_t int_len = i - int_begin;
  if (int_len == 0 || int_len > 6) return FloatShape::kOther;
  bool int_zero = int_len == 1 && v[int_begin] == '0';
  if (v[int_begin] == '0' && !int_zero) return FloatShape::kOther;  // leading zero
  if (i == v.size()) {
    if (int_zero && int_begin == 1) return FloatShape::kOther;  // "-0" prints as "0.0"
    return FloatShape::kNeedsDotZero;
  }
  if (v[i] != '.') return FloatShape::kOther;
  size_t frac_begin = ++i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  size_t frac_len = i - frac_begin;
  if (i != v.size() || frac_len == 0 || v.back() == '0') return FloatShape::kOther;
  size_t sig = int_zero ? frac_len : int_len + frac_len;
  if (int_zero) {
    size_t zeros = 0;
    while (zeros < frac_len && v[frac_begin + zeros] == '0') ++zeros;
    if (zeros > 3) return FloatShape::kOther;  // below 1e-4: exponent form
    sig -= zeros;
  }
  return sig <= 15 ? FloatShape::kCanonical : FloatShape::kOther;
}

}  // namespace

Parser::Parser(ParserOptions options) : options_(options) {
  if (options_.strictness == Strictness::kStrict) {
    validator_ = std::make_unique<internal::FamilyValidator>(options_.format);
  } else if (options_.fast_path) {
    fast_series_ = internal::BestFastSeries();
    fast_labels_.resize(kFastLabels);
  }
}

Parser::~Parser() = default;

void Parser::Reset(std::string_view body) {
  begin_ = pos_ = body.data();
  end_ = body.data() + body.size();
  status_ = absl::OkStatus();
  done_ = false;
  expected_ = {};
  series_pending_ = false;
  type_name_ = {};
  type_type_ = MetricType::kUnknown;
  if (validator_) validator_->Reset();
}

Entry Parser::Next() {
  if (done_) return status_.ok() ? Entry::kEof : Entry::kError;
  has_timestamp_ = false;
  has_exemplar_ = false;
  labels_decoded_ = false;
  matched_expected_ = false;
  series_pending_ = false;
  exemplar_decoded_ = false;
  return options_.format == Format::kOpenMetrics ? ParseOpenMetrics() : ParseText();
}

Entry Parser::FailMsg(const char* at, std::string message) {
  if (at < begin_) at = begin_;
  if (at > end_) at = end_;
  size_t line = 1;
  const char* line_start = begin_;
  for (const char* p = begin_; p < at;) {
    const void* nl = std::memchr(p, '\n', at - p);
    if (nl == nullptr) break;
    ++line;
    p = static_cast<const char*>(nl) + 1;
    line_start = p;
  }
  status_ = absl::InvalidArgumentError(
      absl::StrCat("line ", line, ", column ", at - line_start + 1, ": ", message));
  done_ = true;
  return Entry::kError;
}

Entry Parser::FailToken(const char* at, const char* prefix, const char* b, const char* e,
                        bool go_quote) {
  std::string_view token(b, e - b);
  return FailMsg(at, go_quote ? absl::StrCat(prefix, Quote(token))
                              : absl::StrCat(prefix, "\"", base::Absl(token), "\""));
}

Entry Parser::Fail(const char* at, std::string_view expected) {
  std::string got;
  if (at >= end_) {
    got = "end of input";
  } else if (IsDelim(*at)) {
    got = Quote(std::string_view(at, 1));
  } else {
    const char* e = at;
    while (e < end_ && !IsDelim(*e) && e - at < 32) ++e;
    got = Quote(std::string_view(at, e - at));
  }
  return FailMsg(at, absl::StrCat(base::Absl(expected), ", got ", got));
}

void Parser::NormaliseNaN() { value_ = NormalNaN(); }

// The family a sample belongs to: the last TYPE'd name when the sample
// name is that name plus a suffix its type allows.
void Parser::ResolveFamily() const {
  family_resolved_ = true;
  std::string_view n = metric_name_;
  family_name_ = n;
  family_type_ = MetricType::kUnknown;
  if (type_name_.empty() || n.size() < type_name_.size() ||
      n.compare(0, type_name_.size(), type_name_) != 0) {
    return;
  }
  std::string_view suffix = n.substr(type_name_.size());
  bool ok = false;
  switch (type_type_) {
    case MetricType::kCounter:
      ok = suffix == "_total" || suffix == "_created" || suffix.empty();
      break;
    case MetricType::kHistogram:
      ok = suffix == "_bucket" || suffix == "_count" || suffix == "_sum" ||
           suffix == "_created" || suffix.empty();
      break;
    case MetricType::kGaugeHistogram:
      ok = suffix == "_bucket" || suffix == "_gcount" || suffix == "_gsum" || suffix.empty();
      break;
    case MetricType::kSummary:
      ok = suffix == "_count" || suffix == "_sum" || suffix == "_created" || suffix.empty();
      break;
    case MetricType::kInfo:
      ok = suffix == "_info" || suffix.empty();
      break;
    default:
      ok = suffix.empty();
  }
  if (ok) {
    family_name_ = type_name_;
    family_type_ = type_type_;
  }
}

void Parser::DecodeLabels(std::span<const RawLabel> raw, bool normalise,
                          std::vector<storage::Label>* out, std::string* scratch) {
  out->clear();
  scratch->clear();
  // Reserve once so the views below never dangle: unescaping only shrinks,
  // a normalised float needs at most 26 bytes.
  size_t need = 0;
  for (const RawLabel& l : raw) {
    if (l.name_escaped) need += l.name.size();
    need += l.value_escaped ? l.value.size() : 0;
    need += 32;
  }
  if (scratch->capacity() < need) scratch->reserve(need * 2);
  const bool help_only = false;
  for (const RawLabel& l : raw) {
    std::string_view name = l.name;
    if (l.name_escaped) {
      size_t at = scratch->size();
      internal::AppendUnescaped(l.name, help_only, scratch);
      name = std::string_view(scratch->data() + at, scratch->size() - at);
    }
    std::string_view value = l.value;
    if (l.value_escaped) {
      size_t at = scratch->size();
      internal::AppendUnescaped(l.value, help_only, scratch);
      value = std::string_view(scratch->data() + at, scratch->size() - at);
    }
    if (normalise && ((type_type_ == MetricType::kHistogram && name == "le") ||
                      (type_type_ == MetricType::kSummary && name == "quantile"))) {
      // Most bounds are already canonical ("0.005", "+Inf") or an integer
      // that only needs ".0"; skip the float round trip for those.
      switch (CanonicalFloatShape(value)) {
        case FloatShape::kCanonical:
          out->push_back({name, value});
          continue;
        case FloatShape::kNeedsDotZero: {
          size_t at = scratch->size();
          scratch->append(value);
          scratch->append(".0");
          out->push_back({name, std::string_view(scratch->data() + at, scratch->size() - at)});
          continue;
        }
        case FloatShape::kOther:
          break;
      }
      double f;
      if (internal::ParseGoFloat(value.data(), value.data() + value.size(), &f)) {
        size_t at = scratch->size();
        AppendOpenMetricsFloat(f, scratch);
        value = std::string_view(scratch->data() + at, scratch->size() - at);
      }
    }
    out->push_back({name, value});
  }
}

std::span<const storage::Label> Parser::labels() {
  if (!labels_decoded_) {
    if (series_pending_) DecodePendingSeries();
    DecodeLabels(sample_labels_, options_.normalize_le_quantile, &labels_, &label_scratch_);
    labels_decoded_ = true;
  }
  return labels_;
}

void Parser::LabelsTo(storage::LabelsBuilder* b) {
  b->Clear();
  b->Set(storage::kMetricName, metric_name());
  for (const storage::Label& l : labels()) b->Set(l.name, l.value);
}

const Exemplar& Parser::exemplar() {
  if (!exemplar_decoded_) {
    DecodeLabels(raw_exemplar_labels_, false, &exemplar_labels_, &exemplar_scratch_);
    exemplar_.labels = exemplar_labels_;
    exemplar_decoded_ = true;
  }
  return exemplar_;
}

std::string_view Parser::help() {
  if (!help_escaped_) return meta_text_;
  help_scratch_.clear();
  internal::AppendUnescaped(meta_text_, options_.format == Format::kPrometheusText, &help_scratch_);
  return help_scratch_;
}

// Rejects a label set with a repeated name (including an explicit __name__
// next to a metric name): Prometheus's storage refuses such a sample and the
// scrape fails, so the scrape path's verdict is "invalid".
bool Parser::CheckLabelSet(const char* at, std::span<const RawLabel> ls) {
  const size_t n = ls.size();
  // Clients usually write label names sorted: then one comparison per label
  // proves there are no duplicates; otherwise compare all pairs.
  bool sorted = true;
  for (size_t i = 0; i < n; ++i) {
    std::string_view a = ls[i].name;
    if (a.size() == 8 && a == storage::kMetricName && !metric_name_.empty()) {
      FailMsg(at, "duplicate label name \"__name__\"");
      return false;
    }
    if (i > 0 && sorted) {
      std::string_view b = ls[i - 1].name;
      // First bytes decide almost always; skip the memcmp call then.
      if (b[0] != a[0] ? b[0] > a[0] : !(b < a)) sorted = false;
    }
  }
  if (sorted) return true;
  // Unsorted: a 64-bit filter on (first byte, length) finds the candidate
  // pairs; only a hit pays for the pairwise comparison.
  uint64_t filter = 0;
  bool candidate = false;
  for (size_t i = 0; i < n && !candidate; ++i) {
    std::string_view a = ls[i].name;
    uint64_t bit = uint64_t{1} << ((static_cast<uint8_t>(a[0]) * 7u + a.size()) & 63);
    candidate = (filter & bit) != 0;
    filter |= bit;
  }
  if (!candidate) return true;
  for (size_t i = 1; i < n; ++i) {
    std::string_view a = ls[i].name;
    for (size_t j = 0; j < i; ++j) {
      std::string_view b = ls[j].name;
      if (b.size() == a.size() && b[0] == a[0] && b == a) {
        FailMsg(at, absl::StrCat("duplicate label name ", Quote(a)));
        return false;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Prometheus text format 0.0.4.

Entry Parser::ParseText() {
  const bool strict = options_.strictness == Strictness::kStrict;
  for (;;) {
    const char* p = SkipBlanks(pos_, end_);
    if (p >= end_) {
      done_ = true;
      if (validator_) {
        std::string err = validator_->OnEof();
        if (!err.empty()) return FailMsg(end_, err);
      }
      return Entry::kEof;
    }
    const char c = *p;
    // One compare lets a sample line (a name starts above '#') skip the
    // three special first bytes.
    if (static_cast<unsigned char>(c) <= '#') {
      if (c == '\n') {
        pos_ = p + 1;
        continue;
      }
      if (c == '#') return TextComment(p);
      if (c == '\0' && !strict) {
        // promlex.l: `\0 return tEOF` in the initial state.
        done_ = true;
        return Entry::kEof;
      }
    }
    if (!expected_.empty() && !strict && TextExpected(p)) return Entry::kSeries;
    return TextSample(p);
  }
}

Entry Parser::TextComment(const char* line) {
  const bool strict = options_.strictness == Strictness::kStrict;
  const char* eol = static_cast<const char*>(std::memchr(line, '\n', end_ - line));
  if (eol == nullptr) {
    if (strict) return Fail(end_, "expected newline at end of line");
    eol = end_;
  }
  pos_ = eol < end_ ? eol + 1 : end_;
  meta_text_ = std::string_view(line, eol - line);  // a plain comment by default

  const char* p = line + 1;
  const char* q = SkipBlanks(p, eol);
  bool keyword_ok = strict || q > p;  // promlex: `#[ \t]+` before HELP/TYPE
  Entry kind = Entry::kComment;
  if (keyword_ok && eol - q >= 4 && (std::memcmp(q, "HELP", 4) == 0 || std::memcmp(q, "TYPE", 4) == 0)) {
    const char* after = q + 4;
    if (after < eol && (*after == ' ' || *after == '\t')) {
      kind = *q == 'H' ? Entry::kHelp : Entry::kType;
      q = SkipBlanks(after, eol);
    } else if (strict && after == eol) {
      kind = Entry::kComment;  // expfmt: "# HELP" alone is a comment
    }
  }
  if (kind == Entry::kComment) {
    if (!strict && eol - line > 1 && line[1] != ' ' && line[1] != '\t' &&
        std::memchr(line, '\0', eol - line) != nullptr) {
      // promlex consumeComment in the initial state stops at a NUL as EOF.
      done_ = true;
      return Entry::kEof;
    }
    return Entry::kComment;
  }

  // Metric name: [a-zA-Z_:][a-zA-Z0-9_:]* or a quoted string.
  const char* name_b = q;
  const char* name_e;
  bool quoted = false;
  if (q < eol && Is(*q, kMetricStart)) {
    name_e = internal::ScanName(q + 1, eol, true);
  } else if (q < eol && *q == '"') {
    const char* r = q + 1;
    while (r < end_ && *r != '"') r += (*r == '\\') ? 2 : 1;
    if (r >= end_ || r > eol) {
      if (strict) return Fail(q, "expected metric name");
      return Fail(q, kind == Entry::kHelp ? "expected metric name after HELP"
                                          : "expected metric name after TYPE");
    }
    quoted = true;
    name_b = q + 1;
    name_e = r;
    q = r + 1;
  } else {
    if (strict) return Entry::kComment;  // expfmt: no name, just a comment
    return Fail(q, kind == Entry::kHelp ? "expected metric name after HELP"
                                        : "expected metric name after TYPE");
  }
  if (!quoted) q = name_e;
  meta_name_ = std::string_view(name_b, name_e - name_b);
  if (quoted && meta_name_.find('\\') != std::string_view::npos) {
    if (strict && internal::FindBadEscape(meta_name_, false) != std::string_view::npos) {
      return Fail(name_b, "invalid escape sequence in metric name");
    }
    name_scratch_.clear();
    internal::AppendUnescaped(meta_name_, false, &name_scratch_);
    meta_name_ = name_scratch_;
  }

  std::string_view text;
  if (strict) {
    // expfmt: blanks after the name, then the text; nothing = comment.
    const char* t = SkipBlanks(q, eol);
    if (t == eol) return Entry::kComment;
    if (q == t && !quoted) return Fail(q, "expected blank after metric name");
    text = std::string_view(t, eol - t);
    if (kind == Entry::kType) {
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    }
  } else {
    // promlex: `<sMeta2>{C}*` minus its first character; a rest made only of
    // blanks lexes as whitespace, i.e. empty text.
    const char* t = SkipBlanks(q, eol);
    if (t == eol) {
      text = {};
    } else {
      text = std::string_view(q + 1, eol - q - 1);
    }
  }

  if (kind == Entry::kHelp) {
    if (!internal::ValidUtf8(text)) {
      return FailMsg(line, absl::StrCat("help text ", Quote(text), " is not valid UTF-8"));
    }
    help_escaped_ = text.find('\\') != std::string_view::npos;
    if (strict && help_escaped_) {
      size_t bad = internal::FindBadEscape(text, true);
      if (bad != std::string_view::npos) {
        return Fail(text.data() + bad, "invalid escape sequence in help text");
      }
    }
    meta_text_ = text;
  } else {
    MetricType t;
    std::string lower;
    std::string_view word = text;
    if (strict) {
      lower.assign(text.begin(), text.end());
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      word = lower;
    }
    if (word == "counter") {
      t = MetricType::kCounter;
    } else if (word == "gauge") {
      t = MetricType::kGauge;
    } else if (word == "histogram") {
      t = MetricType::kHistogram;
    } else if (word == "summary") {
      t = MetricType::kSummary;
    } else if (word == "untyped") {
      t = MetricType::kUnknown;
    } else if (strict && (word == "gaugehistogram" || word == "gauge_histogram")) {
      t = MetricType::kGaugeHistogram;
    } else {
      return FailMsg(text.data(), absl::StrCat("invalid metric type ", Quote(text)));
    }
    meta_type_ = t;
    meta_text_ = text;
    type_name_ = meta_name_;
    if (quoted) {
      // The name may live in name_scratch_; keep the body view when we can.
      type_name_ = meta_name_.data() == name_scratch_.data() ? std::string_view() : meta_name_;
    }
    type_type_ = t;
  }
  if (validator_) {
    std::string err = validator_->OnMetadata(kind, meta_name_, meta_type_, {});
    if (!err.empty()) return FailMsg(line, err);
  }
  return kind;
}

bool Parser::TextLabels(const char*& p) {
  const bool strict = options_.strictness == Strictness::kStrict;
  raw_labels_.clear();
  if (p < end_ && (*p == ' ' || *p == '\t')) p = SkipBlanks(p, end_);
  for (;;) {
    if (p >= end_) {
      Fail(p, "expected label name");
      return false;
    }
    if (*p == '}') {
      ++p;
      return true;
    }
    RawLabel l;
    l.name_escaped = false;
    bool quoted = false;
    const char* name_at = p;
    if (Is(*p, kLabelStart)) {
      const char* e = internal::ScanName(p + 1, end_, false);
      l.name = std::string_view(p, e - p);
      p = e;
    } else if (*p == '"') {
      const char* r = p + 1;
      bool esc = false;
      while (r < end_ && *r != '"') {
        if (*r == '\\') {
          esc = true;
          ++r;
        } else if (strict && *r == '\n') {
          break;
        }
        ++r;
      }
      if (r >= end_ || *r != '"') {
        Fail(r, "expected closing quote");
        return false;
      }
      quoted = true;
      l.name = std::string_view(p + 1, r - p - 1);
      l.name_escaped = esc;
      if (strict && esc && internal::FindBadEscape(l.name, false) != std::string_view::npos) {
        Fail(p, "invalid escape sequence in quoted name");
        return false;
      }
      if (!internal::ValidUtf8(l.name)) {
        FailMsg(p, "invalid UTF-8 in quoted name");
        return false;
      }
      p = r + 1;
    } else {
      Fail(p, "expected label name");
      return false;
    }
    // Blanks may separate every token (promlex `<*>[ \t]+`); test for the
    // expected byte first so the common case never looks for blanks.
    if (p < end_ && *p != '=') p = SkipBlanks(p, end_);
    if (quoted && p < end_ && (*p == ',' || *p == '}')) {
      // A lone quoted string is the metric name.
      if (!metric_name_.empty()) {
        FailMsg(name_at, "metric name already set");
        return false;
      }
      metric_name_ = l.name;
      if (l.name_escaped) {
        name_scratch_.clear();
        internal::AppendUnescaped(l.name, false, &name_scratch_);
        metric_name_ = name_scratch_;
      }
      if (*p == ',') p = SkipBlanks(p + 1, end_);
      continue;
    }
    if (strict && l.name == storage::kMetricName) {
      FailMsg(name_at, "label name \"__name__\" is reserved");
      return false;
    }
    if (p >= end_ || *p != '=') {
      Fail(p, "expected \"=\" after label name");
      return false;
    }
    ++p;
    if (p < end_ && *p != '"') p = SkipBlanks(p, end_);
    if (p >= end_ || *p != '"') {
      Fail(p, "expected label value");
      return false;
    }
    const char* vb = ++p;
    bool esc = false;
    uint64_t seen = 0;
    for (;;) {
      p = internal::ScanQuoted(p, end_, strict, &seen);
      if (p >= end_ || *p != '\\') break;
      esc = true;
      if (p + 1 < end_) seen |= static_cast<uint8_t>(p[1]) & 0x80u;
      p = p + 2 < end_ ? p + 2 : end_;
    }
    if (p >= end_ || *p != '"') {
      Fail(p >= end_ ? end_ : p, "expected closing quote of label value");
      return false;
    }
    l.value = std::string_view(vb, p - vb);
    l.value_escaped = esc;
    ++p;
    if (seen) {
      if (!internal::ValidUtf8(l.value)) {
        FailMsg(vb - 1, absl::StrCat("invalid UTF-8 label value: ", Quote(l.value)));
        return false;
      }
    }
    if (strict && esc) {
      size_t bad = internal::FindBadEscape(l.value, false);
      if (bad != std::string_view::npos) {
        Fail(vb + bad, "invalid escape sequence in label value");
        return false;
      }
    }
    raw_labels_.push_back(l);
    if (p < end_ && *p != ',' && *p != '}') p = SkipBlanks(p, end_);
    if (p < end_ && *p == ',') {
      ++p;
      if (p < end_ && (*p == ' ' || *p == '\t')) p = SkipBlanks(p, end_);
    } else if (strict && (p >= end_ || *p != '}')) {
      Fail(p, "expected \",\" or \"}\" after label value");
      return false;
    }
  }
}

// Value, optional timestamp and end of line of a 0.0.4 sample whose series
// ends at p.
inline Entry Parser::TextValue(const char* line, const char* p) {
  const bool strict = options_.strictness == Strictness::kStrict;
  // Value: promlex `[^{ \t\n]+`; expfmt reads up to a blank or newline.
  if (p < end_ && *p == ' ') ++p;  // the usual single blank, without the loop
  p = SkipBlanks(p, end_);
  const char* vb = p;
  bool ok = strict ? internal::ParseNumberToken(
                         vb, end_, [](char c) { return c == ' ' || c == '\t' || c == '\n'; }, &p, &value_,
                         begin_)
                   : internal::ParseNumberToken(
                         vb, end_,
                         [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '{'; }, &p,
                         &value_, begin_);
  if (p == vb) return Fail(p, "expected value after metric");
  if (!ok) return FailToken(vb, "invalid value ", vb, p, true);
  if (p < end_ && *p != '\n') p = SkipBlanks(p, end_);
  if (p < end_ && *p != '\n') {
    const char* tb = p;
    if (strict) {
      while (p < end_ && *p != ' ' && *p != '\t' && *p != '\n') ++p;
      if (!internal::ParseInt64(tb, p, true, &timestamp_ms_)) {
        return FailToken(tb, "invalid timestamp ", tb, p, true);
      }
    } else {
      // promlex `{D}+`, then strconv.ParseInt (overflow is an error).
      uint64_t t = 0;
      p = internal::ScanDigits(p, end_, &t);
      if (p == tb) return Fail(tb, "expected timestamp or new record");
      if (p - tb > 18) {
        if (!internal::ParseInt64(tb, p, false, &timestamp_ms_)) {
          return FailToken(tb, "invalid timestamp ", tb, p, true);
        }
      } else {
        timestamp_ms_ = static_cast<int64_t>(t);
      }
    }
    has_timestamp_ = true;
    p = SkipBlanks(p, end_);
    if (p < end_ && *p != '\n') return Fail(p, "expected next entry after timestamp");
  }
  if (p >= end_) {
    if (strict) return Fail(end_, "expected newline at end of line");
    pos_ = end_;
  } else {
    pos_ = p + 1;
  }
  Entry e = EmitSample();
  if (validator_) {
    std::string err = validator_->OnSample(*this);
    if (!err.empty()) return FailMsg(line, err);
  }
  return e;
}

// Why a match is exact: the hint is a series the general code accepted, and
// that code decides where a series ends from its bytes alone, except for a
// bare name, whose end the next byte decides (a name character continues
// it, blanks then '{' open a label set). So a label-set key must be followed
// by anything, a bare name by a blank; TextValue then rejects a '{' after
// the blanks, and on any rejection the line goes to the general code, which
// reports the error itself.
inline bool Parser::TextExpected(const char* line) {
  const size_t n = expected_.size();
  if (static_cast<size_t>(end_ - line) <= n || std::memcmp(line, expected_.data(), n) != 0) return false;
  if (expected_.back() != '}' && line[n] != ' ' && line[n] != '\t') return false;
  if (ABSL_PREDICT_FALSE(TextValue(line, line + n) != Entry::kSeries)) {
    status_ = absl::OkStatus();
    done_ = false;
    has_timestamp_ = false;
    return false;
  }
  series_ = std::string_view(line, n);
  series_pending_ = true;
  matched_expected_ = true;
  return true;
}

void Parser::DecodePendingSeries() const {
  auto* self = const_cast<Parser*>(this);
  self->series_pending_ = false;
  const char* line = series_.data();
  if (self->FastSeries(line) == nullptr) (void)self->TextSeries(line);
}

Entry Parser::TextSample(const char* line) {
  const char* p = FastSeries(line);  // checked for duplicate names too
  if (p == nullptr && (p = TextSeries(line)) == nullptr) return Entry::kError;
  return TextValue(line, p);
}

// The general code for a 0.0.4 sample's series; null on error.
const char* Parser::TextSeries(const char* line) {
  const char* p = line;
  metric_name_ = {};
  raw_labels_.clear();
  sample_labels_ = {};
  if (Is(*p, kMetricStart)) {
    const char* e = internal::ScanName(p + 1, end_, true);
    metric_name_ = std::string_view(p, e - p);
    p = e;
    series_ = metric_name_;
    const char* q = p < end_ && *p != '{' ? SkipBlanks(p, end_) : p;
    if (q < end_ && *q == '{') {
      p = q + 1;
      if (!TextLabels(p)) return nullptr;
      series_ = std::string_view(line, p - line);
    }
  } else if (*p == '{') {
    ++p;
    if (!TextLabels(p)) return nullptr;
    series_ = std::string_view(line, p - line);
    if (metric_name_.empty()) {
      FailMsg(line, "metric name not set");
      return nullptr;
    }
  } else {
    Fail(p, "expected metric name");
    return nullptr;
  }
  sample_labels_ = raw_labels_;
  if (!raw_labels_.empty() && !CheckLabelSet(line, raw_labels_)) return nullptr;
  return p;
}

}  // namespace promlet::scrape::textparse
