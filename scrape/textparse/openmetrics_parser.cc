// The OpenMetrics 1.0 text grammar. Scrape mode mirrors Prometheus's
// openmetricslex.l/openmetricsparse.go: single spaces, no blank lines, no
// free comments, `# EOF` last; strict mode adds the spec rules that need
// no cross-line state (no trailing comma, no quoted names) and hands the
// rest to FamilyValidator.
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "scrape/textparse/family_validator.h"
#include "scrape/textparse/lex_util.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {

using internal::Is;
using internal::kLabelChar;
using internal::kLabelStart;
using internal::kMetricChar;
using internal::kMetricStart;

namespace {

const char* ValueEnd(const char* p, const char* end) {
  while (p < end && *p != ' ' && *p != '\n') ++p;
  return p;
}

bool IsOmDelim(char c) { return c == ' ' || c == '\n'; }

bool IsExemplarStart(const char* p, const char* end) {
  return end - p >= 4 && p[0] == ' ' && p[1] == '#' && p[2] == ' ' && p[3] == '{';
}

}  // namespace

Entry Parser::ParseOpenMetrics() {
  for (;;) {
    const char* p = pos_;
    if (p >= end_) return Fail(end_, "expected \"# EOF\" at the end of the data");
    Entry e = *p == '#' ? OmComment(p) : OmSample(p);
    if (e == Entry::kSeries && options_.skip_created_series &&
        (type_type_ == MetricType::kCounter || type_type_ == MetricType::kHistogram ||
         type_type_ == MetricType::kSummary) &&
        metric_name_.ends_with("_created")) {
      continue;
    }
    return e;
  }
}

Entry Parser::OmComment(const char* line) {
  const bool strict = options_.strictness == Strictness::kStrict;
  const char* p = line + 1;
  if (p >= end_ || *p != ' ') return Fail(line, "expected \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"");
  ++p;
  size_t left = end_ - p;
  if (left >= 3 && std::memcmp(p, "EOF", 3) == 0) {
    const char* q = p + 3;
    if (q < end_ && *q == '\n') ++q;
    if (q != end_) return FailMsg(q, "unexpected data after # EOF");
    pos_ = end_;
    done_ = true;
    if (validator_) {
      std::string err = validator_->OnEof();
      if (!err.empty()) return FailMsg(line, err);
    }
    return Entry::kEof;
  }
  Entry kind;
  if (left >= 5 && std::memcmp(p, "HELP ", 5) == 0) {
    kind = Entry::kHelp;
  } else if (left >= 5 && std::memcmp(p, "TYPE ", 5) == 0) {
    kind = Entry::kType;
  } else if (left >= 5 && std::memcmp(p, "UNIT ", 5) == 0) {
    kind = Entry::kUnit;
  } else {
    return Fail(line, "expected \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"");
  }
  p += 5;
  const char* kw = kind == Entry::kHelp ? "expected metric name after HELP"
                   : kind == Entry::kType ? "expected metric name after TYPE"
                                          : "expected metric name after UNIT";
  const char* name_b;
  const char* name_e;
  bool quoted = false;
  if (p < end_ && Is(*p, kMetricStart)) {
    name_b = p;
    name_e = internal::ScanName(p + 1, end_, true);
    p = name_e;
  } else if (p < end_ && *p == '"' && !strict) {
    const char* r = p + 1;
    while (r < end_ && *r != '"') r += (*r == '\\') ? 2 : 1;
    if (r >= end_) return Fail(p, kw);
    quoted = true;
    name_b = p + 1;
    name_e = r;
    p = r + 1;
  } else {
    return Fail(p, kw);
  }
  meta_name_ = std::string_view(name_b, name_e - name_b);
  if (quoted && meta_name_.find('\\') != std::string_view::npos) {
    name_scratch_.clear();
    internal::AppendUnescaped(meta_name_, false, &name_scratch_);
    meta_name_ = name_scratch_;
  }
  // `{S}{C}*\n`: exactly one space, then the text up to the newline.
  if (p >= end_ || *p != ' ') {
    return Fail(p, kind == Entry::kHelp ? "expected text in HELP"
                   : kind == Entry::kType ? "expected text in TYPE"
                                          : "expected text in UNIT");
  }
  ++p;
  const char* eol = static_cast<const char*>(std::memchr(p, '\n', end_ - p));
  if (eol == nullptr) return Fail(end_, "expected newline");
  std::string_view text(p, eol - p);
  pos_ = eol + 1;
  meta_text_ = text;
  switch (kind) {
    case Entry::kHelp:
      if (!internal::ValidUtf8(text)) return FailMsg(p, "help text is not valid UTF-8");
      help_escaped_ = text.find('\\') != std::string_view::npos;
      break;
    case Entry::kType: {
      MetricType t;
      if (text == "counter") {
        t = MetricType::kCounter;
      } else if (text == "gauge") {
        t = MetricType::kGauge;
      } else if (text == "histogram") {
        t = MetricType::kHistogram;
      } else if (text == "gaugehistogram") {
        t = MetricType::kGaugeHistogram;
      } else if (text == "summary") {
        t = MetricType::kSummary;
      } else if (text == "info") {
        t = MetricType::kInfo;
      } else if (text == "stateset") {
        t = MetricType::kStateset;
      } else if (text == "unknown") {
        t = MetricType::kUnknown;
      } else {
        return FailMsg(p, absl::StrCat("invalid metric type \"", std::string(text), "\""));
      }
      meta_type_ = t;
      type_type_ = t;
      type_name_ = meta_name_.data() == name_scratch_.data() ? std::string_view() : meta_name_;
      break;
    }
    default: {  // UNIT: when set, the name must end in "_<unit>".
      std::string_view m = meta_name_;
      if (!text.empty() && (m.size() < text.size() + 1 || !m.ends_with(text) ||
                            m[m.size() - text.size() - 1] != '_')) {
        return FailMsg(p, absl::StrCat("unit \"", std::string(text), "\" not a suffix of metric \"",
                                       std::string(m), "\""));
      }
      break;
    }
  }
  if (validator_) {
    std::string err = validator_->OnMetadata(kind, meta_name_, meta_type_, text);
    if (!err.empty()) return FailMsg(line, err);
  }
  return kind;
}

bool Parser::OmLabels(const char*& p, std::vector<RawLabel>* out, bool exemplar) {
  const bool strict = options_.strictness == Strictness::kStrict;
  out->clear();
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
    } else if (*p == '"' && !strict) {
      const char* r = p + 1;
      bool esc = false;
      while (r < end_ && *r != '"' && *r != '\n') {
        if (*r == '\\') {
          esc = true;
          ++r;
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
      if (!internal::ValidUtf8(l.name)) {
        FailMsg(p, "invalid UTF-8 in quoted name");
        return false;
      }
      p = r + 1;
    } else {
      Fail(p, "expected label name");
      return false;
    }
    if (quoted && p < end_ && (*p == ',' || *p == '}')) {
      if (exemplar) {
        Fail(p, "expected \"=\" after label name");
        return false;
      }
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
      if (*p == ',') ++p;
      continue;
    }
    if (p >= end_ || *p != '=') {
      Fail(p, "expected \"=\" after label name");
      return false;
    }
    ++p;
    if (p >= end_ || *p != '"') {
      Fail(p, "expected label value");
      return false;
    }
    const char* vb = ++p;
    bool esc = false;
    uint64_t seen = 0;
    for (;;) {
      p = internal::ScanQuoted(p, end_, true, &seen);
      if (p >= end_ || *p != '\\') break;
      esc = true;
      if (p + 1 < end_) {
        if (p[1] == '\n') break;
        seen |= static_cast<uint8_t>(p[1]) & 0x80u;
      }
      p = p + 2 < end_ ? p + 2 : end_;
    }
    if (p >= end_ || *p != '"') {
      Fail(p >= end_ ? end_ : p, "expected closing quote of label value");
      return false;
    }
    l.value = std::string_view(vb, p - vb);
    l.value_escaped = esc;
    ++p;
    if (seen && !internal::ValidUtf8(l.value)) {
      FailMsg(vb - 1, "invalid UTF-8 label value");
      return false;
    }
    out->push_back(l);
    if (p < end_ && *p == ',') {
      ++p;
      if (strict && p < end_ && *p == '}') {
        Fail(p, "expected label name after \",\"");
        return false;
      }
    } else if (p >= end_ || *p != '}') {
      Fail(p, "expected \",\" or \"}\" after label value");
      return false;
    }
  }
}

// The general code for an OpenMetrics sample's series; null on error.
const char* Parser::OmSeries(const char* line) {
  const char* p = line;
  metric_name_ = {};
  raw_labels_.clear();
  sample_labels_ = {};
  if (Is(*p, kMetricStart)) {
    p = internal::ScanName(p + 1, end_, true);
    metric_name_ = std::string_view(line, p - line);
    if (p < end_ && *p == '{') {
      ++p;
      if (!OmLabels(p, &raw_labels_, false)) return nullptr;
    }
  } else if (*p == '{' && options_.strictness == Strictness::kScrape) {
    ++p;
    if (!OmLabels(p, &raw_labels_, false)) return nullptr;
    if (metric_name_.empty()) {
      FailMsg(line, "metric name not set");
      return nullptr;
    }
  } else {
    Fail(p, "expected metric name");
    return nullptr;
  }
  series_ = std::string_view(line, p - line);
  sample_labels_ = raw_labels_;
  if (!raw_labels_.empty() && !CheckLabelSet(line, raw_labels_)) return nullptr;
  return p;
}

Entry Parser::OmSample(const char* line) {
  const char* p = FastSeries(line);  // checked for duplicate names too
  if (p == nullptr && (p = OmSeries(line)) == nullptr) return Entry::kError;

  // ` value`, then `\n`, ` timestamp` or ` # {exemplar}`.
  if (p >= end_ || *p != ' ') return Fail(p, "expected value after metric");
  const char* vb = ++p;
  bool ok = internal::ParseNumberToken(vb, end_, IsOmDelim, &p, &value_, begin_);
  if (p == vb) return Fail(p, "expected value after metric");
  if (!ok) {
    return FailToken(vb, "invalid value ", vb, p, false);
  }
  if (p < end_ && *p == ' ' && !IsExemplarStart(p, end_)) {
    const char* tb = ++p;
    double ts;
    bool ts_ok = internal::ParseNumberToken(tb, end_, IsOmDelim, &p, &ts, begin_);
    if (p == tb) return Fail(p, "expected timestamp");
    if (!ts_ok || std::isnan(ts) || std::isinf(ts)) {
      return FailToken(tb, "invalid timestamp ", tb, p, false);
    }
    ts_seconds_ = ts;
    timestamp_ms_ = internal::SecondsToMs(ts);
    has_timestamp_ = true;
  }
  if (IsExemplarStart(p, end_)) {
    p += 4;
    const char* eb = p;
    if (!OmLabels(p, &raw_exemplar_labels_, true)) return Entry::kError;
    if (p >= end_ || *p != ' ') return Fail(p, "expected value after exemplar labels");
    const char* xb = ++p;
    p = ValueEnd(p, end_);
    if (p == xb || !internal::ParseGoFloat(xb, p, &exemplar_.value)) {
      return FailMsg(xb, absl::StrCat("invalid exemplar value \"", std::string(xb, p), "\""));
    }
    if (std::isnan(exemplar_.value)) exemplar_.value = std::nan("");
    exemplar_.has_timestamp = false;
    if (p < end_ && *p == ' ') {
      const char* tb = ++p;
      p = ValueEnd(p, end_);
      double ts;
      if (p == tb || !internal::ParseGoFloat(tb, p, &ts) || std::isnan(ts) || std::isinf(ts)) {
        return FailMsg(tb, absl::StrCat("invalid exemplar timestamp \"", std::string(tb, p), "\""));
      }
      exemplar_.has_timestamp = true;
      exemplar_.timestamp_ms = internal::SecondsToMs(ts);
    }
    exemplar_text_ = std::string_view(eb, p - eb);
    has_exemplar_ = true;
  }
  if (p >= end_ || *p != '\n') {
    if (p >= end_) return Fail(end_, "expected newline; the data must end with \"# EOF\"");
    return Fail(p, has_timestamp_ || has_exemplar_ ? "expected next entry after timestamp"
                                                   : "expected timestamp or new record");
  }
  pos_ = p + 1;
  Entry e = EmitSample();
  if (validator_) {
    std::string err = validator_->OnSample(*this);
    if (!err.empty()) return FailMsg(line, err);
  }
  return e;
}

}  // namespace promlet::scrape::textparse
