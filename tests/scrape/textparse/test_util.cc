#include "tests/scrape/textparse/test_util.h"

#include <charconv>

namespace promlet::scrape::textparse {
namespace {

std::string Num(double v) {
  std::string s;
  AppendOpenMetricsFloat(v, &s);
  return s;
}

void AppendLabels(std::span<const storage::Label> ls, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const storage::Label& l : ls) {
    if (!first) out->push_back(',');
    first = false;
    out->append(l.name);
    out->append("=\"");
    out->append(l.value);
    out->push_back('"');
  }
  out->push_back('}');
}

}  // namespace

ParseResult ParseAll(std::string_view body, Format format, Strictness strictness,
                     ParserOptions base) {
  base.format = format;
  base.strictness = strictness;
  Parser p(base);
  p.Reset(body);
  ParseResult r;
  for (;;) {
    Entry e = p.Next();
    std::string s;
    switch (e) {
      case Entry::kEof:
        r.ok = true;
        return r;
      case Entry::kError:
        r.error = std::string(p.status().message());
        return r;
      case Entry::kSeries: {
        s.append(p.metric_name());
        auto ls = p.labels();
        if (!ls.empty()) AppendLabels(ls, &s);
        s += std::string(" ") + Num(p.value());
        if (p.has_timestamp()) s += std::string(" @") + std::to_string(p.timestamp_ms());
        if (p.has_exemplar()) {
          const Exemplar& x = p.exemplar();
          s += " # ";
          AppendLabels(x.labels, &s);
          s += std::string(" ") + Num(x.value);
          if (x.has_timestamp) s += std::string(" @") + std::to_string(x.timestamp_ms);
        }
        break;
      }
      case Entry::kHelp:
        s = std::string("HELP ") + std::string(p.metadata_name()) + " " + std::string(p.help());
        break;
      case Entry::kType:
        s = std::string("TYPE ") + std::string(p.metadata_name()) + " " + std::string(MetricTypeName(p.type()));
        break;
      case Entry::kUnit:
        s = std::string("UNIT ") + std::string(p.metadata_name()) + " " + std::string(p.unit());
        break;
      case Entry::kComment:
        s = std::string("COMMENT ") + std::string(p.comment());
        break;
    }
    r.entries.push_back(std::move(s));
  }
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += s;
    out += "\n";
  }
  return out;
}

}  // namespace promlet::scrape::textparse
